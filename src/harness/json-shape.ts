// A bound on what parsing a JSON text would build, checked before JSON.parse builds it. The size
// cap on a trace file bounds its bytes, not the objects they stand for: 64 MiB of `{},` is 22
// million objects, gigabytes of heap. One pass over the bytes (UTF-8 never puts an ASCII byte
// inside a multi-byte character, so the structural bytes can be read directly) counts nesting,
// containers, strings and items per container, and refuses a text whose shape no file of its
// kind has, at the first byte past a bound. What passes builds at most a small multiple of its
// own size.

/** The most of each thing a JSON text may hold; containers and strings scale with its size. */
export interface JsonShapeLimits {
  /** Levels of nested objects and arrays. */
  readonly depthMax: number;
  /** Items in one array, and in all arrays together. */
  readonly arrayItemsMax: number;
  /** Keys in one object. */
  readonly objectKeysMax: number;
  /** Arrays in the whole text. */
  readonly arraysMax: number;
  /** Objects in the whole text: a fixed few plus one per `bytesPerObjectMin` bytes. */
  readonly bytesPerObjectMin: number;
  /** Strings (keys excluded) in the whole text: a fixed few plus one per `bytesPerStringMin` bytes. */
  readonly bytesPerStringMin: number;
  /** Numbers with a fraction or an exponent (each a heap number once parsed). */
  readonly fractionalNumbersMax: number;
}

/** Containers and strings any text may have beyond those its size allows. */
const fixedAllowance = 64;

const quote = 0x22;
const backslash = 0x5c;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const comma = 0x2c;
const colon = 0x3a;
const dot = 0x2e;

/**
 * Null when parsing `bytes` stays within `limits`, else what is wrong, in words that fit after
 * "not valid JSON for …:". Malformed JSON is left for the parser to report.
 */
export function jsonShapeProblem(bytes: Uint8Array, limits: JsonShapeLimits): string | null {
  const objectsMax = fixedAllowance + Math.floor(bytes.length / limits.bytesPerObjectMin);
  const stringsMax = fixedAllowance + Math.floor(bytes.length / limits.bytesPerStringMin);
  // Per open container: whether it is an array, and its items so far (commas seen).
  const isArray: boolean[] = [];
  const commas: number[] = [];
  let depth = 0;
  let objects = 0;
  let arrays = 0;
  let strings = 0;
  let fractional = 0;
  let arrayItems = 0;
  let inString = false;
  let escaped = false;
  // A string directly followed by a colon is a key; the colon decides, so the count is undone then.
  let lastWasString = false;
  for (let offset = 0; offset < bytes.length; offset++) {
    const byte = bytes[offset] as number;
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === backslash) escaped = true;
      else if (byte === quote) {
        inString = false;
        lastWasString = true;
      }
      continue;
    }
    switch (byte) {
      case quote:
        inString = true;
        strings += 1;
        if (strings > stringsMax) return `it holds more than ${stringsMax} strings in ${bytes.length} bytes (at byte ${offset}); a trace of that size holds fewer`;
        continue;
      case colon:
        if (lastWasString) strings -= 1;
        break;
      case openBrace:
      case openBracket: {
        depth += 1;
        if (depth > limits.depthMax) return `its values nest more than ${limits.depthMax} levels deep (at byte ${offset}); a trace nests at most ${limits.depthMax}`;
        const array = byte === openBracket;
        if (array) arrays += 1;
        else objects += 1;
        if (arrays > limits.arraysMax) return `it holds more than ${limits.arraysMax} arrays (at byte ${offset}); a trace holds fewer`;
        if (objects > objectsMax) return `it holds more than ${objectsMax} objects in ${bytes.length} bytes (at byte ${offset}); a trace of that size holds fewer`;
        isArray[depth] = array;
        commas[depth] = 0;
        break;
      }
      case closeBrace:
      case closeBracket:
        depth = Math.max(0, depth - 1);
        break;
      case comma: {
        if (depth === 0) break;
        const items = (commas[depth] as number) + 1;
        commas[depth] = items;
        if (isArray[depth] === true && items >= limits.arrayItemsMax) {
          return `an array holds more than ${limits.arrayItemsMax} items (at byte ${offset}); a trace's longest holds ${limits.arrayItemsMax}`;
        }
        if (isArray[depth] === true) arrayItems += 1;
        if (arrayItems >= limits.arrayItemsMax) return `its arrays hold more than ${limits.arrayItemsMax} items together (at byte ${offset}); a trace's hold fewer`;
        if (isArray[depth] === false && items >= limits.objectKeysMax) {
          return `an object holds more than ${limits.objectKeysMax} keys (at byte ${offset}); a trace's largest holds ${limits.objectKeysMax}`;
        }
        break;
      }
      case dot:
        fractional += 1;
        if (fractional > limits.fractionalNumbersMax) return `it holds more than ${limits.fractionalNumbersMax} fractional numbers (at byte ${offset}); a trace holds integers only`;
        break;
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        // Whitespace between a key and its colon keeps the key a key.
        continue;
      default:
        break;
    }
    lastWasString = false;
  }
  return null;
}
