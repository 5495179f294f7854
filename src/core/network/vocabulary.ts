// Controlled vocabularies for the source-network model's tags (docs/FORMAT.md, "Source-network model").
// Coarse on purpose: a region is a province or a border prefecture, never a town, route or crossing point;
// a role is a kind of work, never a unit or an employer; access says how the person knows, not where.
// Each value has an English, Korean and Chinese label so a bilingual desk tags the same thing the same way.

export interface VocabularyTerm {
  id: string;
  en: string;
  ko: string;
  zh: string;
}

const term = (id: string, en: string, ko: string, zh: string): VocabularyTerm => ({ id, en, ko, zh });

export const VOCABULARIES = {
  region: [
    term("pyongyang", "Pyongyang", "평양", "平壤"),
    term("rason", "Rason", "라선", "罗先"),
    term("ryanggang", "Ryanggang", "양강도", "两江道"),
    term("north-hamgyong", "North Hamgyong", "함경북도", "咸镜北道"),
    term("south-hamgyong", "South Hamgyong", "함경남도", "咸镜南道"),
    term("chagang", "Chagang", "자강도", "慈江道"),
    term("north-pyongan", "North Pyongan", "평안북도", "平安北道"),
    term("south-pyongan", "South Pyongan", "평안남도", "平安南道"),
    term("north-hwanghae", "North Hwanghae", "황해북도", "黄海北道"),
    term("south-hwanghae", "South Hwanghae", "황해남도", "黄海南道"),
    term("kangwon", "Kangwon", "강원도", "江原道"),
    term("yanbian", "Yanbian (Jilin)", "연변 (길림성)", "延边 (吉林省)"),
    term("jilin-other", "Jilin, outside Yanbian", "길림성 (연변 밖)", "吉林省 (延边以外)"),
    term("liaoning", "Liaoning", "료녕성", "辽宁省"),
    term("china-other", "Elsewhere in China", "중국 기타 지역", "中国其他地区"),
    term("abroad", "Elsewhere abroad", "기타 해외", "其他境外"),
  ],
  role: [
    term("trade", "Trade and markets", "장사·시장", "贸易与市场"),
    term("state", "State or party office", "국가·당 기관", "国家或党的机关"),
    term("security", "Security or police", "보위·안전 기관", "安全或警察机关"),
    term("military", "Military", "군", "军队"),
    term("industry", "Factory or mine", "공장·광산", "工厂或矿山"),
    term("farm", "Farm", "농장", "农场"),
    term("transport", "Transport", "운수", "运输"),
    term("health", "Health", "보건", "卫生"),
    term("education", "Education", "교육", "教育"),
    term("overseas-worker", "Worker abroad", "해외 노동자", "海外劳务人员"),
    term("resident", "Resident, no particular role", "주민", "居民"),
  ],
  access: [
    term("witness", "Saw it themselves", "직접 목격", "亲眼所见"),
    term("participant", "Took part", "직접 참여", "亲身参与"),
    term("document", "Has seen a document", "문건 확인", "见过文件"),
    term("secondhand", "Heard it from someone who saw it", "목격자에게서 들음", "从目击者处听说"),
    term("hearsay", "Rumour, origin unknown", "소문 (출처 모름)", "传闻 (来源不明)"),
  ],
} as const satisfies Record<string, readonly VocabularyTerm[]>;

export type Vocabulary = keyof typeof VOCABULARIES;
export const VOCABULARY_NAMES = Object.keys(VOCABULARIES) as Vocabulary[];

/** A model tag is `vocabulary:term`, e.g. `region:ryanggang`: only terms listed above are accepted. */
export const MODEL_TAG = /^(region|role|access):[a-z][a-z-]{0,40}$/;

export function vocabularyTerm(tag: string): VocabularyTerm | null {
  const match = /^([a-z]+):(.+)$/.exec(tag);
  if (!match) return null;
  const list = (VOCABULARIES as Record<string, readonly VocabularyTerm[]>)[match[1]!];
  return list?.find((t) => t.id === match[2]) ?? null;
}

export const isModelTag = (tag: string): boolean => MODEL_TAG.test(tag) && vocabularyTerm(tag) !== null;

/**
 * Why a note tag may not be written, or null. The keys `region`, `role` and `access` belong to the
 * vocabularies: a note that says `region:` with anything but a listed term (a town, a market, a crossing)
 * would keep in the vault the very place the vocabulary is coarse to avoid, so it is refused rather than
 * kept as a free tag. Other keys (`topic:markets`) stay free note tags, read by people, not by the model.
 */
export function reservedTagProblem(tag: string): string | null {
  const key = tag.slice(0, tag.indexOf(":"));
  if (!(VOCABULARY_NAMES as string[]).includes(key) || isModelTag(tag)) return null;
  const terms = VOCABULARIES[key as Vocabulary].map((t) => t.id).join(", ");
  return `${key}: takes a term of its controlled vocabulary (${terms}), never a town, place or unit; not ${JSON.stringify(tag)}`;
}

/** The tag's label in a language, or the tag itself when it is not in a vocabulary. */
export function tagLabel(tag: string, language: "en" | "ko" | "zh"): string {
  const found = vocabularyTerm(tag);
  return found ? found[language] : tag;
}
