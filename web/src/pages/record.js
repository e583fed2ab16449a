// Entry of the record page (/records/{id}).
import { startPage } from '../ui/layout.js';
import { recordPage } from '../ui/record_page.js';

startPage('record', recordPage());
