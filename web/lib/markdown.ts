// Seller-written markdown (a skill's SKILL.md from its docs on IPFS) rendered for a page: raw HTML is escaped, not
// passed through, links may only be http(s) or mailto (markdown-it refuses javascript:, vbscript:, file: and most
// data:), every link leaves with rel="nofollow noopener noreferrer ugc", and headings nest under the page's.
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
md.validateLink = (url: string) => /^(https?:|mailto:|#|\/(?!\/))/i.test(url.trim());
const defaultLink = md.renderer.rules.link_open ?? ((tokens, i, options, _env, self) => self.renderToken(tokens, i, options));
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  tokens[i]!.attrSet("rel", "nofollow noopener noreferrer ugc");
  return defaultLink(tokens, i, options, env, self);
};
// The seller's headings sit under the page's own (h1 is the skill, h2 its sections): shifted down two levels.
for (const rule of ["heading_open", "heading_close"] as const) {
  md.renderer.rules[rule] = (tokens, i, options, _env, self) => {
    const t = tokens[i]!;
    t.tag = `h${Math.min(6, Number(t.tag.slice(1)) + 2)}`;
    return self.renderToken(tokens, i, options);
  };
}
// Images would load from wherever the seller points: shown as their alt text and address instead.
md.renderer.rules.image = (tokens, i) => {
  const t = tokens[i]!;
  return `[image: ${md.utils.escapeHtml(t.content)} (${md.utils.escapeHtml(t.attrGet("src") ?? "")})]`;
};

export function renderMarkdown(text: string): string {
  return md.render(text.slice(0, 200_000));
}
