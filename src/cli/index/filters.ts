// The filters of `list`, `sources` and the inbox (index/query.ts applies them): their options, and
// reading them from the command line. Light on purpose: a command parses these before it loads the index.
import { UsageError } from "../errors.js";

export interface GradeFilter {
  reliability: string | null;
  credibility: number | null;
}

/** Filters of `list`, `sources` and the inbox: all given ones must hold. A submission is judged by its source's grade and tags. */
export interface ListFilters {
  desk?: string | undefined;
  /** KEY:VALUE, as the source's current tags hold it (case-insensitive). */
  tag?: string | undefined;
  grade?: GradeFilter | undefined;
  /** Full text: every word must appear in the message (or a field, or an attachment's name), any case. */
  search?: string | undefined;
}

export function parseGrade(text: string): GradeFilter {
  const m = /^([A-Fa-f])?([1-6])?$/.exec(text.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) throw new UsageError(`a grade is a reliability A–F, a credibility 1–6, or both (B2); not ${JSON.stringify(text)}`);
  return { reliability: m[1]?.toUpperCase() ?? null, credibility: m[2] === undefined ? null : Number(m[2]) };
}

/** The filter options `list` and `sources` share. */
export const FILTER_OPTIONS = { desk: { type: "string" }, tag: { type: "string" }, grade: { type: "string" }, search: { type: "string" } } as const;

export function filtersOf(values: { desk?: string | undefined; tag?: string | undefined; grade?: string | undefined; search?: string | undefined }): ListFilters {
  return { desk: values.desk, tag: values.tag, grade: values.grade === undefined ? undefined : parseGrade(values.grade), search: values.search };
}
