// The web app reads the marketplace's api (WEB_API_URL, server side) and renders every page on the server first.
/** @type {import('next').NextConfig} */
const config = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The sdk ships TypeScript sources (browser-safe); the web app compiles the parts it imports.
  transpilePackages: ["@skill-marketplace/sdk"],
  // Its imports name the compiled files ("./base58.js") as Node's ESM resolution wants: here the sources.
  webpack: (config) => {
    config.resolve.extensionAlias = { ".js": [".ts", ".tsx", ".js"] };
    return config;
  },
  // The build's own cache stays outside the checkout, like every other build cache of the project.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
};
export default config;
