// A Kysely dialect for Cloudflare D1: SQLite's adapter, compiler and introspector, and a driver that sends
// each query through the D1 binding.
//
// D1 rejects BEGIN/COMMIT; its only atomic unit is `batch()`. A Kysely transaction here therefore
// buffers its writes and sends them as one batch at commit: all of them, or none. Reads run at once, so
// a transaction must do every read before its first write (the app's transactions all do); a read after
// a buffered write is refused with an error rather than sent early, because sending the writes with it
// would commit them even if the transaction later rolled back. Two differences remain from SQLite and
// PostgreSQL, stated so nobody relies on them:
// - Reads inside a transaction are not isolated from other requests (no locks are held between them).
// - Results of buffered writes are not known when they resolve: they report no affected-row count.
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import type { D1Database, D1PreparedStatement, D1Result } from "./bindings.js";

export class D1Dialect implements Dialect {
  constructor(private readonly database: D1Database) {}
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new D1Driver(this.database);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class D1Driver implements Driver {
  constructor(private readonly database: D1Database) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    // Connections are free: each one only carries its own transaction buffer.
    return new D1Connection(this.database);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as D1Connection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as D1Connection).commit();
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as D1Connection).rollback();
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/** Reads may run at once; everything else waits for the transaction's batch. */
const isRead = (query: CompiledQuery): boolean =>
  SelectQueryNode.is(query.query) || (query.query.kind === "RawNode" && /^\s*(select|pragma)\b/i.test(query.sql));

function toQueryResult<R>(query: CompiledQuery, result: D1Result): QueryResult<R> {
  const rows = (result.results ?? []) as R[];
  if (isRead(query)) return { rows };
  const changes = result.meta?.changes;
  const lastRowId = result.meta?.last_row_id;
  return {
    rows,
    numAffectedRows: changes === undefined ? undefined : BigInt(changes),
    insertId: lastRowId === undefined || lastRowId === null ? undefined : BigInt(lastRowId),
  };
}

class D1Connection implements DatabaseConnection {
  /** Writes of the open transaction, or null outside one. */
  private pending: D1PreparedStatement[] | null = null;

  constructor(private readonly database: D1Database) {}

  private statement(query: CompiledQuery): D1PreparedStatement {
    return this.database.prepare(query.sql).bind(...query.parameters);
  }

  begin(): void {
    if (this.pending) throw new Error("D1: nested transactions are not supported");
    this.pending = [];
  }

  async commit(): Promise<void> {
    const writes = this.pending ?? [];
    this.pending = null;
    if (writes.length > 0) await this.database.batch(writes);
  }

  rollback(): void {
    this.pending = null;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.statement(query);
    if (!this.pending) return toQueryResult<R>(query, await statement.all());
    if (!isRead(query)) {
      this.pending.push(statement);
      return { rows: [] };
    }
    if (this.pending.length > 0) throw new Error("D1: a transaction must do its reads before its first write (d1-dialect.ts)");
    return toQueryResult<R>(query, await statement.all());
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("D1: streaming queries are not supported");
  }
}
