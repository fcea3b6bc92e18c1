import { DETAIL_TEXT_LIMIT, type MessageSample, TEXT_LIMIT } from '../domain/summary.ts';
import { isJsonNull, isJsonString, keyText, readableText } from './captured-text.ts';
import { NAME_LIMIT } from './object-ref.ts';

// A message of a results list (infos, warnings, errors), read field by field and decoded as the
// fields arrive, so no bytes of the document are kept.

export class MessageEntry {
  #key: string | null = null;
  #text = '';
  #detail: { text: string; truncated: boolean } | null = null;
  #details: { text: string; truncated: boolean } | null = null;
  readonly type: string;

  constructor(type: string) {
    this.type = type;
  }

  /** Whether a member of the message is one the sample keeps. */
  static wants(field: string): boolean {
    return field === 'key' || field === 'text' || field === 'detail' || field === 'details';
  }

  field(name: string, raw: Buffer, complete: boolean): void {
    if (name === 'key') this.#key = keyText(raw, complete, NAME_LIMIT);
    else if (name === 'text') this.#text = isJsonNull(raw) ? '' : readableText(raw, complete, TEXT_LIMIT).text;
    else {
      const detail = isJsonNull(raw) ? null : readableText(raw, complete, DETAIL_TEXT_LIMIT);
      if (name === 'detail') this.#detail = detail;
      else this.#details = detail;
    }
  }

  sample(): MessageSample {
    // Real payloads say `detail`, the spec says `details`: the first that is not null.
    const detail = this.#detail ?? this.#details;
    return {
      type: this.type,
      key: this.#key,
      text: this.#text,
      detailText: detail?.text ?? null,
      detailTruncated: detail?.truncated ?? false,
    };
  }

  /** A message that is a plain string (or any other non-object) rather than an object. */
  static plain(type: string, raw: Buffer | null, complete: boolean): MessageSample {
    const text = raw && isJsonString(raw) ? readableText(raw, complete, TEXT_LIMIT).text : '';
    return { type, key: null, text, detailText: null, detailTruncated: false };
  }
}
