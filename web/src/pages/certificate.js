// Entry of the certificate page (/records/{id}/certificate).
import { certificatePage } from '../ui/certificate_page.js';
import { startPage } from '../ui/layout.js';

startPage('certificate', certificatePage());
