// `@inferometer/exporter-remote-write/internal`: the configuration checks
// this package shares with `@inferometer/node` (one implementation of URL,
// header and credential validation). NOT public API: it follows the sibling
// packages' needs and may change in any release. Listed by hand.
export {
  basicAuthProblem,
  checkHttpUrl,
  clip,
  hasControlCharacter,
  HEADER_NAME_ACCEPTED,
  HEADER_VALUE_ACCEPTED,
  headerNameProblem,
  headersProblem,
  headerValueProblem,
  HTTP_URL_ACCEPTED,
  MAX_URL_LENGTH,
  parseKeyValueList,
  textProblem,
} from './config/validation.js';
export type { ListEntry, ValueProblem } from './config/validation.js';
