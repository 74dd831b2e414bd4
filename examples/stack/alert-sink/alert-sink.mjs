// A webhook receiver for the stack's Alertmanager: prints each notification
// (`docker compose logs -f alert-sink`). Replace the webhook URLs in
// alertmanager/alertmanager.yml with your pager or chat integration.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    try {
      const { receiver, status, groupLabels, alerts } = JSON.parse(body);
      for (const alert of alerts) {
        console.log(`${request.url} ${receiver} ${status} ${JSON.stringify(groupLabels)}: [${alert.labels.severity}] ${alert.labels.alertname} ${alert.annotations.summary ?? ''}`);
      }
    } catch {
      console.log(`${request.url}: ${body}`);
    }
    response.writeHead(200).end();
  });
}).listen(port, () => console.log(`alert sink listening on :${port}`));
