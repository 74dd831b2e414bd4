# The onnx-iris demo, built from this repository as `npm start` builds it.
# Build context: the repository root (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
# .npmrc skips onnxruntime-node's CUDA download; the CPU binaries ship in the package.
RUN npm ci && npx turbo run build --filter=@inferometer/example-onnx-iris...
ENV HOST=0.0.0.0 PORT=8000 OTEL_EXPORTER_PROMETHEUS_PORT=9464
EXPOSE 8000 9464
# Demo traffic on (10 requests/s, 5 % invalid) so the dashboard has data.
CMD ["node", "examples/onnx-iris/dist/src/main.js"]
