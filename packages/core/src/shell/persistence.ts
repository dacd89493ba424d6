import { encodeStoreHeader } from '../codecs/store-header-codec.js';
import { encodeTaskRecord, type TaskRecordEncoder } from '../codecs/task-record-codec.js';
import { hasSensitiveHeaders, stripSensitiveHeaders } from '../policy/sensitive-headers.js';
import type { SessionConfiguration } from '../model/configuration.js';
import type { HttpRequest } from '../model/http.js';
import type { StoreHeader } from '../model/store-header.js';
import type { TaskRecord } from '../model/task-types.js';

/** A request as it may be persisted: without sensitive headers unless the app opted in (#21). */
export function persistableRequest(request: HttpRequest, configuration: SessionConfiguration): HttpRequest {
  // Most requests have no sensitive header: the request itself is then kept, not copied at every commit.
  if (configuration.persistSensitiveHeaders || !hasSensitiveHeaders(request.headers, configuration.sensitiveHeaders)) return request;
  return { ...request, headers: stripSensitiveHeaders(request.headers, configuration.sensitiveHeaders) };
}

/** A task record as stored (`encode`: the session's encoder, which remembers unchanged parts). */
export function encodeTask(record: TaskRecord, configuration: SessionConfiguration, encode: TaskRecordEncoder = encodeTaskRecord): unknown {
  if (configuration.persistSensitiveHeaders) return encode(record);
  const originalRequest = persistableRequest(record.originalRequest, configuration);
  // Until a redirect, the current request is the original one, the same object.
  const currentRequest = record.currentRequest === record.originalRequest ? originalRequest : persistableRequest(record.currentRequest, configuration);
  if (originalRequest === record.originalRequest && currentRequest === record.currentRequest) return encode(record);
  return encode({ ...record, originalRequest, currentRequest });
}

/**
 * The store header as stored: sensitive `additionalHeaders` are not written unless the app opted
 * in (the configuration given at each open replaces the stored one, so nothing is lost).
 */
export function encodeHeaderRecord(header: StoreHeader): unknown {
  const configuration = header.configuration;
  if (configuration.persistSensitiveHeaders) return encodeStoreHeader(header);
  const additionalHeaders = stripSensitiveHeaders(configuration.additionalHeaders, configuration.sensitiveHeaders);
  return encodeStoreHeader({ ...header, configuration: { ...configuration, additionalHeaders } });
}
