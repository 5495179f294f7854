// The graph view's filter form (graph.ts): desk, region and day range over the view only.
import type { GraphData, GraphFilters } from "../../src/core/network/graph.js";
import { tagLabel } from "../../src/core/network/vocabulary.js";
import { h } from "../dom.js";
import type { GraphLabels, MountOptions } from "./graph.js";

/** Desk, region and day range; every change redraws. The form only filters the view: nothing is sent. */
export function filterForm(data: GraphData, labels: GraphLabels, language: MountOptions["language"], prefix: string, onChange: (filters: GraphFilters) => void) {
  const field = (name: string, text: string, control: HTMLElement) => h("label", { class: "graph-filter", for: `${prefix}-${name}` }, text, control);
  const choice = (name: string, values: string[], text: (v: string) => string) =>
    h("select", { id: `${prefix}-${name}` }, h("option", { value: "" }, labels.filters.all), ...values.map((v) => h("option", { value: v }, text(v))));
  const desk = choice("desk", data.desks, (d) => d);
  const region = choice("region", data.regions, (r) => tagLabel(`region:${r}`, language));
  const day = (name: string) => h("input", { id: `${prefix}-${name}`, type: "date", min: data.days?.from, max: data.days?.to });
  const from = day("from");
  const to = day("to");
  const current = (): GraphFilters => ({
    ...(desk.value ? { desks: [desk.value] } : {}),
    ...(region.value ? { regions: [region.value] } : {}),
    ...(from.value || to.value ? { days: { ...(from.value ? { from: from.value } : {}), ...(to.value ? { to: to.value } : {}) } } : {}),
  });
  const form = h(
    "form",
    { class: "graph-filters" },
    h("fieldset", {}, h("legend", {}, labels.filters.legend), field("desk", labels.filters.desk, desk), field("region", labels.filters.region, region), field("from", labels.filters.from, from), field("to", labels.filters.to, to)),
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", () => onChange(current()));
  return {
    form,
    /** Shows filters set from code (the first desk and region of each list). */
    show(filters: GraphFilters) {
      desk.value = filters.desks?.[0] ?? "";
      region.value = filters.regions?.[0] ?? "";
      from.value = filters.days?.from ?? "";
      to.value = filters.days?.to ?? "";
    },
  };
}
