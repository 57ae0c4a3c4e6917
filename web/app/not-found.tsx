import Link from "next/link";

export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        No skill at this address on this marketplace. <Link href="/">Browse the skills</Link>.
      </p>
    </>
  );
}
