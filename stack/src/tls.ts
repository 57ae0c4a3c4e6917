// The local certificate authority and the api's https certificate under `npm start`: Solana Pay wallets accept only
// https transaction-request links, so the stack serves the api over https too, with a certificate for 127.0.0.1
// and localhost signed by a CA made once in the data directory (trusted by whoever chooses to: a phone wallet,
// NODE_EXTRA_CA_CERTS, the system's store). Made with openssl; kept, so a wallet told to trust it once keeps working.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LocalTls {
  /** The CA's certificate (PEM): what a client trusts. */
  ca: string;
  cert: string;
  key: string;
}

const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });

/** The CA and the server certificate in `dir`, made on first use (the CA for 10 years, the certificate for 2). */
export function localTls(dir: string): LocalTls {
  const paths = { ca: join(dir, "ca.pem"), cert: join(dir, "api.pem"), key: join(dir, "api.key") };
  if (existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key)) return paths;
  const work = join(dir, `.new-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true, mode: 0o700 });
  try {
    const p = (name: string) => join(work, name);
    openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "3650", "-subj", "/CN=skill-marketplace local CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("api.key"), "-out", p("api.csr"), "-subj", "/CN=127.0.0.1"]);
    writeFileSync(p("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
    openssl(["x509", "-req", "-in", p("api.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p("api.pem"), "-days", "730", "-extfile", p("ext.cnf")]);
    for (const name of ["ca.pem", "api.pem", "api.key", "ca.key"]) renameSync(p(name), join(dir, name));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return paths;
}
