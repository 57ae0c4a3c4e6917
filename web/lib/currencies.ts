// The tokens the marketplace accepts (besides SOL), with their decimals, so prices read as amounts: read from the
// api once a minute.
import { api, type Currency } from "./api";

let known: { at: number; list: Currency[] } | null = null;

export async function currencies(): Promise<Currency[]> {
  if (known && Date.now() - known.at < 60_000) return known.list;
  try {
    const list = await api<Currency[]>("/currencies");
    known = { at: Date.now(), list };
    return list;
  } catch {
    return known?.list ?? [];
  }
}
