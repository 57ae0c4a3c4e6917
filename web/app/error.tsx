"use client";
// What a person sees when a page cannot be made (the api is down, say): the reason in words, and a way on.
export default function PageError({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <div className="notice error" role="alert">
      <p>This page cannot be shown right now: {error.message}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
