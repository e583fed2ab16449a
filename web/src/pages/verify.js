// Entry of the verify page (/ and /verify).
import { startPage } from '../ui/layout.js';
import { verifyPage } from '../ui/verify_page.js';

startPage('verify', verifyPage());
