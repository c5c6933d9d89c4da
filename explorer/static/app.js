// Cairn block explorer: a single-page app over the node's REST API.
// Plain JavaScript modules, no framework, no build step. Chain data is
// only ever put in the page as text (textContent / text nodes), never as
// HTML.
//
// This is the entry module: it names the pages and starts the router,
// the search box and the live events. lib/ holds the shared modules (API
// client, DOM helpers, formatting, router), pages/ one module per page,
// txkinds/ a renderer per tx kind.
import { start } from './lib/router.js';
import { connectEvents } from './lib/live.js';
import { dashboard } from './pages/dashboard.js';
import { blockPage } from './pages/block.js';
import { txPage } from './pages/tx.js';
import { accountPage } from './pages/account.js';
import { assetsPage } from './pages/assets.js';
import { assetPage } from './pages/asset.js';
import { itemPage } from './pages/item.js';
import { topicPage } from './pages/topic.js';
import { contractPage } from './pages/contract.js';
import { peersPage } from './pages/peers.js';
import { permissionsPage, showPermissionsLink } from './pages/permissions.js';
import { devnetPage, showDevnetLink } from './pages/devnet.js';
import { initSearch, notFoundPage } from './pages/search.js';

// routes maps the first segment of "#/<page>/..." to its page.
const routes = new Map([
  ['', dashboard],
  ['block', blockPage],
  ['tx', txPage],
  ['account', accountPage],
  ['assets', assetsPage],
  ['asset', assetPage],
  ['item', itemPage],
  ['topic', topicPage],
  ['contract', contractPage],
  ['peers', peersPage],
  ['permissions', permissionsPage],
  ['devnet', devnetPage],
  ['notfound', notFoundPage],
]);

initSearch();
showDevnetLink();
showPermissionsLink();
connectEvents();
start(routes);
