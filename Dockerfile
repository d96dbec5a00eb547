# Satellite VPP: the same app as ./run_dev.sh, in a container (not needed to run or test).
FROM node:20-slim AS frontend
WORKDIR /src/frontend
COPY frontend/ ./
RUN if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi \
    && npm run build

FROM python:3.11-slim
WORKDIR /app
COPY backend/requirements.txt backend/requirements.txt
RUN pip install --no-cache-dir -r backend/requirements.txt
COPY backend/ backend/
COPY --from=frontend /src/frontend/dist frontend/dist
ENV HOST=0.0.0.0 PORT=5000
EXPOSE 5000
CMD ["python", "-m", "backend"]
