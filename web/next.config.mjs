// The web app reads the marketplace's api (WEB_API_URL, server side) and renders every page on the server first.
/** @type {import('next').NextConfig} */
const config = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The build's own cache stays outside the checkout, like every other build cache of the project.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
};
export default config;
