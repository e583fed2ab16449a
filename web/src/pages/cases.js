// Entry of the case trail page (/cases).
import { casesPage } from '../ui/cases_page.js';
import { startPage } from '../ui/layout.js';

startPage('cases', casesPage());
