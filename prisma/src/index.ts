// The database package: the generated Prisma client and the typed table definitions. The
// schema (prisma/schema.prisma) and migrations (prisma/migrations) live beside this folder.
export { Prisma, PrismaClient } from "../generated/client.js";
export * from "./tables.js";
