// The graph view's words (client/inbox/graph.ts GraphLabels) in the inbox's languages. Loaded with the
// view, like the drawing itself.
import type { GraphLabels } from "./graph.js";

const en: GraphLabels = {
  title: "Source network",
  keyboardHelp: "Tab to the graph, then use the arrow keys to move between nodes and Enter to select one. + and − zoom, 0 fits, Escape clears.",
  desk: "The desk",
  chain: "Chain {n}",
  kinds: { desk: "desk", chain: "chain", relay: "relay", source: "source" },
  edges: {
    desk: { name: "reaches the desk", out: "reaches {node}", in: "reaches the desk" },
    chain: { name: "chain", out: "first hand: {node}", in: "in {node}" },
    relays_for: { name: "relays for", out: "relays for {node}", in: "carried by {node}" },
    introduced_by: { name: "introduced by", out: "introduced by {node}", in: "introduced {node}" },
    same_group: { name: "same group", out: "same group as {node}", in: "same group as {node}" },
    corroborates: { name: "corroborates", out: "corroborates {node}", in: "corroborates {node}" },
    contradicts: { name: "contradicts", out: "contradicts {node}", in: "contradicts {node}" },
    related: { name: "related", out: "related to {node}", in: "related to {node}" },
  },
  ungraded: "ungraded",
  spof: "single point of failure",
  spofCuts: "cuts off {n} sources",
  none: "—",
  empty: "Nothing matches these filters.",
  filters: { legend: "Show", desk: "Desk", region: "Region", from: "From", to: "To", all: "All" },
  columns: { node: "Node", kind: "Kind", grade: "Reliability", layer: "Layer", chain: "Chain", desks: "Desks", regions: "Regions", days: "Days", connects: "Connects to", spof: "Single point of failure" },
};

const ko: GraphLabels = {
  title: "제보자 관계망",
  keyboardHelp: "Tab 키로 그래프에 들어간 뒤 화살표 키로 이동하고 Enter 키로 선택합니다. + 와 − 로 확대·축소, 0 으로 맞춤, Esc 로 선택 해제.",
  desk: "데스크",
  chain: "경로 {n}",
  kinds: { desk: "데스크", chain: "경로", relay: "중개인", source: "제보자" },
  edges: {
    desk: { name: "데스크에 닿음", out: "{node}에 닿음", in: "데스크에 닿음" },
    chain: { name: "경로", out: "직접 전달: {node}", in: "{node}에 속함" },
    relays_for: { name: "전달함", out: "{node}의 말을 전달함", in: "{node}이(가) 전달함" },
    introduced_by: { name: "소개받음", out: "{node}의 소개", in: "{node}을(를) 소개함" },
    same_group: { name: "같은 무리", out: "{node}와(과) 같은 무리", in: "{node}와(과) 같은 무리" },
    corroborates: { name: "뒷받침함", out: "{node}와(과) 서로 뒷받침함", in: "{node}와(과) 서로 뒷받침함" },
    contradicts: { name: "어긋남", out: "{node}와(과) 어긋남", in: "{node}와(과) 어긋남" },
    related: { name: "관련", out: "{node}와(과) 관련", in: "{node}와(과) 관련" },
  },
  ungraded: "평가 없음",
  spof: "단일 장애점",
  spofCuts: "제보자 {n}명이 끊김",
  none: "—",
  empty: "이 조건에 맞는 것이 없습니다.",
  filters: { legend: "보기", desk: "데스크", region: "지역", from: "시작일", to: "종료일", all: "전체" },
  columns: { node: "대상", kind: "종류", grade: "신뢰도", layer: "단계", chain: "경로", desks: "데스크", regions: "지역", days: "기간", connects: "연결", spof: "단일 장애점" },
};

const zh: GraphLabels = {
  title: "消息来源网络",
  keyboardHelp: "按 Tab 进入图，用方向键在节点间移动，按 Enter 选择。+ 和 − 缩放，0 适配，Esc 取消选择。",
  desk: "编辑部",
  chain: "渠道 {n}",
  kinds: { desk: "编辑部", chain: "渠道", relay: "中间人", source: "消息来源" },
  edges: {
    desk: { name: "到达编辑部", out: "到达{node}", in: "到达编辑部" },
    chain: { name: "渠道", out: "第一手：{node}", in: "属于{node}" },
    relays_for: { name: "转达", out: "为{node}转达", in: "由{node}转达" },
    introduced_by: { name: "经人介绍", out: "由{node}介绍", in: "介绍了{node}" },
    same_group: { name: "同一群体", out: "与{node}同一群体", in: "与{node}同一群体" },
    corroborates: { name: "相互印证", out: "与{node}相互印证", in: "与{node}相互印证" },
    contradicts: { name: "相互矛盾", out: "与{node}相互矛盾", in: "与{node}相互矛盾" },
    related: { name: "相关", out: "与{node}相关", in: "与{node}相关" },
  },
  ungraded: "未评级",
  spof: "单点故障",
  spofCuts: "切断 {n} 个消息来源",
  none: "—",
  empty: "没有符合这些条件的内容。",
  filters: { legend: "显示", desk: "编辑部", region: "地区", from: "起", to: "止", all: "全部" },
  columns: { node: "节点", kind: "类型", grade: "可靠性", layer: "层级", chain: "渠道", desks: "编辑部", regions: "地区", days: "日期", connects: "连接", spof: "单点故障" },
};

export const GRAPH_LABELS: Readonly<Record<"en" | "ko" | "zh", GraphLabels>> = { en, ko, zh };
