// The verifier's public surface: what the pages, the offline file and the tests
// import. Everything under verify/ is pure (no DOM, no network, no clock).
export { parseGenesis, findAgency } from './genesis.js';
export { verifyReceipt, verifyReceiptText } from './receipt.js';
export { documentDigests } from './document.js';
export { verifyBlock } from './explorer.js';
export { parseDocumentDigest, recordIdHex, RECORD_KINDS } from './record.js';
export { toHex } from './bytes.js';
