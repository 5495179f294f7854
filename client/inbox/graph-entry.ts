// The graph view's bundle (assets/graph.js, scripts/build-inbox.ts): the drawing and its words.
export { mountGraph } from "./graph.js";
export { GRAPH_LABELS } from "./graph-labels.js";
