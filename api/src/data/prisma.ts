// The generated Prisma client (prisma/generated, built by `npm run db:generate`), in one place.
export { PrismaClient, Prisma } from "../../../prisma/generated/client.js";
