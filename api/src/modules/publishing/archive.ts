// A repository's files at one commit, read from a tar archive (git archive, or GitHub's gzipped
// tarball with its one top-level folder) with nothing trusted: only regular files and folders,
// no path that is absolute or climbs out, no links or devices, within MAX_SOURCE_BYTES and
// MAX_SOURCE_FILES. Anything else refuses the whole archive, naming the entry.
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";
import { extract } from "tar-stream";
import { MAX_SOURCE_BYTES, MAX_SOURCE_FILES } from "@skill-marketplace/sdk";
import { DomainError } from "../../errors.js";

export interface SourceFile {
  path: string;
  mode: number;
  data: Buffer;
}

export const archiveRefused = (message: string) => new DomainError("archive_refused", message);

/** A path inside the repository, normalized; null when it is absolute or climbs out of it. */
export function safePath(name: string): string | null {
  if (name.startsWith("/") || name.includes("\\") || name.includes("\0")) return null;
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.some((p) => p === "..")) return null;
  return parts.join("/");
}

export async function readArchive(bytes: Uint8Array, options: { gzip: boolean; stripTopFolder: boolean }): Promise<SourceFile[]> {
  if (bytes.length > MAX_SOURCE_BYTES * 2) throw archiveRefused(`the archive is ${bytes.length} bytes, more than the ${MAX_SOURCE_BYTES * 2} allowed`);
  const tar = extract();
  const files: SourceFile[] = [];
  let total = 0;
  let refusal: DomainError | null = null;
  const done = new Promise<void>((resolve, reject) => {
    tar.on("entry", (header, stream, next) => {
      const refuse = (message: string) => {
        refusal ??= archiveRefused(message);
        stream.resume();
        stream.on("end", next);
      };
      if (refusal) return refuse(refusal.message);
      // Metadata entries of git archive and GitHub's tarball carry no file.
      if ((header.type as string) === "pax-global-header" || (header.type as string) === "pax-header") {
        stream.resume();
        return stream.on("end", next);
      }
      let name = header.name;
      if (options.stripTopFolder) {
        const slash = name.indexOf("/");
        name = slash === -1 ? "" : name.slice(slash + 1);
        if (name === "") {
          stream.resume();
          return stream.on("end", next);
        }
      }
      const path = safePath(name);
      if (path === null) return refuse(`the archive entry ${JSON.stringify(header.name)} is outside the repository`);
      if (header.type === "directory") {
        stream.resume();
        return stream.on("end", next);
      }
      if (header.type !== "file" && header.type !== "contiguous-file") {
        return refuse(`the archive entry ${JSON.stringify(path)} is a ${header.type}: only regular files are accepted (no links or devices)`);
      }
      if (files.length >= MAX_SOURCE_FILES) return refuse(`the repository has more than ${MAX_SOURCE_FILES} files`);
      const chunks: Buffer[] = [];
      stream.on("data", (chunk) => {
        total += (chunk as Buffer).length;
        if (total <= MAX_SOURCE_BYTES) return void chunks.push(chunk as Buffer);
        // Stop reading at once: a compressed archive can unpack to far more than it weighs.
        refusal ??= archiveRefused(`the repository's files hold more than ${MAX_SOURCE_BYTES} bytes`);
        tar.destroy(refusal);
      });
      stream.on("end", () => {
        if (total > MAX_SOURCE_BYTES) refusal ??= archiveRefused(`the repository's files hold more than ${MAX_SOURCE_BYTES} bytes`);
        else files.push({ path, mode: header.mode ?? 0o644, data: Buffer.concat(chunks) });
        next();
      });
    });
    tar.on("finish", resolve);
    tar.on("error", reject);
  });
  const source = Readable.from([Buffer.from(bytes)]);
  if (options.gzip) {
    const gunzip = createGunzip();
    gunzip.on("error", (error) => tar.destroy(archiveRefused(`the archive is not a gzipped tar: ${error.message}`)));
    source.pipe(gunzip).pipe(tar);
  } else {
    source.pipe(tar);
  }
  try {
    await done;
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw archiveRefused(`the archive could not be read: ${(error as Error).message}`);
  }
  if (refusal) throw refusal;
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw archiveRefused(`the archive holds ${f.path} twice`);
    seen.add(f.path);
  }
  return files;
}
