#!/usr/bin/env node
// The `sealdrop` command. The CLI is TypeScript run through tsx, so there is no build step to forget.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
