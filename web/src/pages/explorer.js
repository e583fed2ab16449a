// Entry of the explorer page (/explorer).
import { explorerPage } from '../ui/explorer_page.js';
import { startPage } from '../ui/layout.js';

startPage('explorer', explorerPage());
