// The slice of Cloudflare's D1, R2 and Durable Object bindings that sealdrop uses, typed structurally so the code
// type-checks with the project's ordinary tsconfig (the full @cloudflare/workers-types declare globals
// that clash with the DOM and Node typings used elsewhere).

export interface D1Result<T = Record<string, unknown>> {
  results: T[];
  success: boolean;
  meta: { changes?: number; last_row_id?: number };
}

export interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  all<T = Record<string, unknown>>(): Promise<D1Result<T>>;
}

export interface D1Database {
  prepare(query: string): D1PreparedStatement;
  /** Runs the statements as one SQL transaction: all of them, or none if one fails. */
  batch<T = Record<string, unknown>>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]>;
}

export interface R2Object {
  key: string;
  size: number;
  /** When the object was written (R2 keeps it whatever sealdrop does; maintenance ages orphans by it). */
  uploaded: Date;
}

export interface R2ObjectBody extends R2Object {
  body: ReadableStream<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface R2Objects {
  objects: R2Object[];
  truncated: boolean;
  cursor?: string;
  delimitedPrefixes: string[];
}

export interface R2UploadedPart {
  partNumber: number;
  etag: string;
}

export interface R2MultipartUpload {
  uploadPart(partNumber: number, value: Uint8Array): Promise<R2UploadedPart>;
  complete(parts: R2UploadedPart[]): Promise<R2Object>;
  abort(): Promise<void>;
}

export interface R2Bucket {
  head(key: string): Promise<R2Object | null>;
  get(key: string): Promise<R2ObjectBody | null>;
  put(key: string, value: Uint8Array | ReadableStream<Uint8Array>): Promise<R2Object | null>;
  delete(keys: string | string[]): Promise<void>;
  list(options?: { prefix?: string; delimiter?: string; cursor?: string; limit?: number }): Promise<R2Objects>;
  createMultipartUpload(key: string): Promise<R2MultipartUpload>;
}

/** Static assets (the built source page), served through the worker so every response gets the app's headers. */
export interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

/** What a cron trigger hands the `scheduled` handler. */
export interface ScheduledController {
  /** When the trigger was due, in milliseconds since the epoch. */
  scheduledTime: number;
  cron: string;
}

/** A Durable Object's id in its namespace. */
export interface DurableObjectId {
  toString(): string;
}

/** A Durable Object reached from a worker: sealdrop talks to it with fetch only (workers/budgets-object.ts). */
export interface DurableObjectStub {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

/** A Durable Object binding: the class's objects, by name. */
export interface DurableObjectNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub;
}
