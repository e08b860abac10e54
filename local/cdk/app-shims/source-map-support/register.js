// `import 'source-map-support/register'` (see index.js).
'use strict';

require('./index.js').install();
