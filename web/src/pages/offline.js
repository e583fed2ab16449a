// Entry of the offline verifier, built into the self-contained evidence-verify.html.
import { startPage } from '../ui/layout.js';
import { offlinePage } from '../ui/offline_page.js';

startPage('offline', offlinePage());
