// A stable, human-friendly name for a source, derived from its reply recipient (docs/FORMAT.md,
// "Pseudonym"). Shown only to editors; the same source is the same pseudonym on every editor's machine.
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "./bytes.js";

const ADJECTIVES = [
  "Amber", "Ashen", "Azure", "Birch", "Bright", "Bronze", "Calm", "Cedar", "Cinder", "Clear", "Cobalt", "Copper",
  "Coral", "Crimson", "Dawn", "Dusk", "Ember", "Fern", "Flint", "Frost", "Gentle", "Golden", "Granite", "Hazel",
  "Indigo", "Iron", "Ivory", "Jade", "Juniper", "Linen", "Lunar", "Maple", "Marble", "Meadow", "Misty", "Moss",
  "Night", "Oaken", "Ochre", "Olive", "Opal", "Pale", "Pearl", "Pine", "Quiet", "Rain", "Raven", "River",
  "Rowan", "Russet", "Sable", "Saffron", "Sage", "Silver", "Slate", "Snow", "Solar", "Stone", "Storm", "Swift",
  "Teal", "Tidal", "Velvet", "Willow",
];
const ANIMALS = [
  "Albatross", "Badger", "Bison", "Bittern", "Crane", "Curlew", "Deer", "Dipper", "Egret", "Elk", "Falcon", "Finch",
  "Fox", "Gannet", "Gecko", "Goshawk", "Grouse", "Hare", "Harrier", "Hawk", "Heron", "Ibis", "Jackdaw", "Kestrel",
  "Kingfisher", "Kite", "Lark", "Lynx", "Magpie", "Marten", "Merlin", "Mink", "Moose", "Newt", "Nightjar", "Osprey",
  "Otter", "Owl", "Panda", "Pelican", "Petrel", "Pika", "Plover", "Puffin", "Quail", "Raven", "Robin", "Sable",
  "Salmon", "Seal", "Shrike", "Sparrow", "Stoat", "Stork", "Swallow", "Swan", "Swift", "Tern", "Thrush", "Tiger",
  "Vole", "Wagtail", "Wolf", "Wren",
];

/** `digest` is SHA-256; a caller with a native one (the CLI, naming thousands of sources at once) passes it. */
export function pseudonymFor(replyRecipient: string, digest: (data: Uint8Array) => Uint8Array = sha256): string {
  const h = digest(utf8(`sealdrop-pseudonym-v1\n${replyRecipient}`));
  const number = ((h[2]! << 16) | (h[3]! << 8) | h[4]!) % 10_000;
  return `${ADJECTIVES[h[0]! % ADJECTIVES.length]} ${ANIMALS[h[1]! % ANIMALS.length]} ${String(number).padStart(4, "0")}`;
}
