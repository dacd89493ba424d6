import { encodeStoreHeader } from '../codecs/store-header-codec.js';
import { encodeTaskRecord } from '../codecs/task-record-codec.js';
import { stripSensitiveHeaders } from '../policy/sensitive-headers.js';
import type { SessionConfiguration } from '../model/configuration.js';
import type { HttpRequest } from '../model/http.js';
import type { StoreHeader } from '../model/store-header.js';
import type { TaskRecord } from '../model/task-types.js';

/** A request as it may be persisted: without sensitive headers unless the app opted in (#21). */
export function persistableRequest(request: HttpRequest, configuration: SessionConfiguration): HttpRequest {
  if (configuration.persistSensitiveHeaders) return request;
  return { ...request, headers: stripSensitiveHeaders(request.headers, configuration.sensitiveHeaders) };
}

/** A task record as stored. */
export function encodeTask(record: TaskRecord, configuration: SessionConfiguration): unknown {
  if (configuration.persistSensitiveHeaders) return encodeTaskRecord(record);
  return encodeTaskRecord({
    ...record,
    originalRequest: persistableRequest(record.originalRequest, configuration),
    currentRequest: persistableRequest(record.currentRequest, configuration),
  });
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
