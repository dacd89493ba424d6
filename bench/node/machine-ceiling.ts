import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runCommand } from './run-command.js';

/** One way of moving the same bytes that nothing in the benchmark can beat. */
export interface CeilingProbe {
  readonly name: string;
  /** Moves the bytes once; resolves to the seconds it took. */
  run(): Promise<number>;
}

const MiB = 2 ** 20;

/** `dd` of `bytes` of zeros into a file in `directory`, with or without `conv=fdatasync`. */
function ddProbe(name: string, path: string, bytes: number, fdatasync: boolean): CeilingProbe {
  return {
    name,
    run: async () => {
      await runCommand('sync', []);
      const args = [`if=/dev/zero`, `of=${path}`, `bs=${MiB}`, `count=${Math.ceil(bytes / MiB)}`, 'status=none', ...(fdatasync ? ['conv=fdatasync'] : [])];
      const start = performance.now();
      const exit = await runCommand('dd', args);
      const seconds = (performance.now() - start) / 1000;
      await runCommand('rm', ['-f', path]);
      if (exit.code !== 0) throw new Error(`dd failed: ${exit.stderr}`);
      return seconds;
    },
  };
}

// The readers of the raw socket copy: Perl's sysread into a 1 MiB buffer (about 3x faster than a
// Node reader here, so the copy measures loopback, not the reader), or plain Node where there is no Perl.
const perlReader = [
  'use IO::Socket::INET; use Time::HiRes qw(time);',
  "my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ARGV[0]) or die \"connect: $!\";",
  'my $t = time; my $n = 0; my $b;',
  'while ((my $r = sysread($s, $b, 1 << 20)) > 0) { $n += $r }',
  'printf("{\\"bytes\\":%d,\\"seconds\\":%.6f}\\n", $n, time - $t);',
].join(' ');
const nodeReader = `
const net = require('node:net');
const socket = net.connect(Number(process.argv[1]), '127.0.0.1');
let bytes = 0; let start = 0;
socket.on('connect', () => { start = performance.now(); });
socket.on('data', (chunk) => { bytes += chunk.length; });
socket.on('end', () => { console.log(JSON.stringify({ bytes, seconds: (performance.now() - start) / 1000 })); });
`;

/** A raw TCP copy over loopback: a net server here writes the bytes, a reader process discards them. */
function socketProbe(content: Buffer): CeilingProbe {
  const perl = existsSync('/usr/bin/perl');
  return {
    name: `loopback socket copy (node net -> ${perl ? 'perl' : 'node'} reader)`,
    run: async () => {
      const server = createServer((socket) => socket.end(content));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        const exit = perl ? await runCommand('/usr/bin/perl', ['-e', perlReader, String(port)]) : await runCommand(process.execPath, ['-e', nodeReader, String(port)]);
        const result = JSON.parse(exit.stdout.trim()) as { bytes: number; seconds: number };
        if (result.bytes !== content.length) throw new Error(`socket copy got ${result.bytes} of ${content.length} bytes`);
        return result.seconds;
      } finally {
        server.close();
      }
    },
  };
}

/** The benchmark's own HTTP server read by `curl -o /dev/null`: shows the server is not the limit. */
function httpProbe(url: string): CeilingProbe {
  return {
    name: 'HTTP server -> curl -o /dev/null',
    run: async () => {
      const exit = await runCommand('curl', ['-sS', '--fail', '-o', '/dev/null', '-w', '%{time_total}', url]);
      if (exit.code !== 0) throw new Error(`curl failed: ${exit.stderr}`);
      return Number(exit.stdout.trim());
    },
  };
}

/**
 * The machine's ceiling for moving `content`: a `dd` write of the same size into the bench
 * directory's file system (page cache only, and with `conv=fdatasync`), a raw socket copy over
 * loopback, and the benchmark's HTTP server read by curl into /dev/null.
 *
 * @example
 * ```ts
 * for (const probe of ceilingProbes({ content, url: server.url, path: work.join('dd.bin') })) await probe.run();
 * ```
 */
export function ceilingProbes(input: { readonly content: Buffer; readonly url: string; readonly path: string }): CeilingProbe[] {
  const bytes = input.content.length;
  return [
    ddProbe('dd write (page cache)', input.path, bytes, false),
    ddProbe('dd write + fdatasync', input.path, bytes, true),
    socketProbe(input.content),
    httpProbe(input.url),
  ];
}
