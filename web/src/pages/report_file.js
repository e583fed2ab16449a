// Entry of the self-contained report.html (`evidence report`).
import { startPage } from '../ui/layout.js';
import { reportFilePage } from '../ui/report_file_page.js';

startPage('report', reportFilePage());
