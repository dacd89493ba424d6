import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import got from 'got';
import { DownloaderHelper } from 'node-downloader-helper';
import { stream } from 'undici';

/** A JS peer of B1: downloads `url` to `destination` and resolves once the file is closed. */
export type JsDownloader = (url: string, destination: string) => Promise<void>;

async function closed(file: WriteStream): Promise<void> {
  if (!file.closed) await once(file, 'close');
}

/**
 * The JS peers of B1, each used the way its documentation shows for "save a URL to a file", with no
 * durability (none of them syncs): undici's `stream()` into a file stream, node-downloader-helper,
 * and got's stream piped into a file stream.
 *
 * @example
 * ```ts
 * await jsDownloaders['undici stream()']?.(url, '/tmp/file.bin');
 * ```
 */
export const jsDownloaders: Readonly<Record<string, JsDownloader>> = {
  'undici stream()': async (url, destination) => {
    const file = createWriteStream(destination);
    await stream(url, { method: 'GET', opaque: file }, ({ statusCode, opaque }) => {
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      return opaque as WriteStream;
    });
    await closed(file);
  },
  'node-downloader-helper': async (url, destination) => {
    const download = new DownloaderHelper(url, dirname(destination), { fileName: basename(destination), override: true, retry: false });
    const failed = new Promise<never>((_, reject) => download.on('error', (error) => reject(new Error(error.message))));
    const complete = await Promise.race([download.start(), failed]);
    if (!complete) throw new Error('node-downloader-helper ended incomplete');
  },
  'got stream': async (url, destination) => {
    const file = createWriteStream(destination);
    await pipeline(got.stream(url), file);
    await closed(file);
  },
};
