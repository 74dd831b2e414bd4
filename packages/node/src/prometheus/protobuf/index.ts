export { encodeProtobufExposition, PROTOBUF_CONTENT_TYPE } from './encode.js';
