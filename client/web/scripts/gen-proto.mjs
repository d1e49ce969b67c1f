// Generates the protobuf classes and service descriptors of huizong.v1
// (proto/huizong/v1/*.proto) into src/gen/ with protoc-gen-es from
// node_modules and protoc from the system (Debian's protobuf-compiler, the
// same protoc that builds huizongd; $PROTOC overrides). Run by `npm run
// build`; src/gen/ is never edited by hand nor committed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "..");
const protoRoot = join(web, "..", "..", "proto");
const out = join(web, "src", "gen");
const plugin = join(web, "node_modules", ".bin", "protoc-gen-es");
const protoc = process.env.PROTOC || "protoc";

if (!existsSync(plugin)) {
  console.error("gen-proto: node_modules/.bin/protoc-gen-es is missing: run `npm ci` in client/web first");
  process.exit(1);
}
const files = readdirSync(join(protoRoot, "huizong", "v1"))
  .filter((f) => f.endsWith(".proto"))
  .map((f) => `huizong/v1/${f}`)
  .sort();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
try {
  execFileSync(
    protoc,
    [`--plugin=protoc-gen-es=${plugin}`, `--es_out=${out}`, "--es_opt=target=ts,import_extension=none",
      `-I${protoRoot}`, ...files],
    { stdio: "inherit" },
  );
} catch (e) {
  const why = e.code === "ENOENT" ? `${protoc} not found (apt-get install protobuf-compiler, or set PROTOC)` : e.message;
  console.error(`gen-proto: ${why}`);
  process.exit(1);
}
console.log(`gen-proto: ${files.length} files -> src/gen/`);
