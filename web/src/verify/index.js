// The verifier's public surface: what the pages, the offline file and the tests
// import. Everything under verify/ is pure (no DOM, no network, no clock).
export { parseGenesis, parseGenesisBytes, findAgency } from './genesis.js';
export { verifyReceipt, verifyReceiptBytes, verifyReceiptText } from './receipt.js';
export { verifyCheckpoint } from './checkpoint.js';
export { documentDigests } from './document.js';
export { verifyFiles } from './files.js';
export { chainGovernance, verifyBlock } from './explorer.js';
export { parseDocumentDigest, recordIdHex, RECORD_KINDS } from './record.js';
export { decodeUtf8, toHex } from './bytes.js';
