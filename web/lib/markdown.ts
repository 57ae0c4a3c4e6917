// Seller-written markdown (a skill's SKILL.md from its docs on IPFS) rendered for a page: raw HTML is escaped, not
// passed through, links may only be http(s) or mailto (markdown-it refuses javascript:, vbscript:, file: and most
// data:), and every link leaves with rel="nofollow noopener noreferrer ugc".
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
md.validateLink = (url: string) => /^(https?:|mailto:|#|\/(?!\/))/i.test(url.trim());
const defaultLink = md.renderer.rules.link_open ?? ((tokens, i, options, _env, self) => self.renderToken(tokens, i, options));
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  tokens[i]!.attrSet("rel", "nofollow noopener noreferrer ugc");
  return defaultLink(tokens, i, options, env, self);
};
// Images would load from wherever the seller points: shown as their alt text and address instead.
md.renderer.rules.image = (tokens, i) => {
  const t = tokens[i]!;
  return `[image: ${md.utils.escapeHtml(t.content)} (${md.utils.escapeHtml(t.attrGet("src") ?? "")})]`;
};

export function renderMarkdown(text: string): string {
  return md.render(text.slice(0, 200_000));
}
