// Entry of the supervision report page (/reports).
import { startPage } from '../ui/layout.js';
import { reportsPage } from '../ui/reports_page.js';

startPage('reports', reportsPage());
