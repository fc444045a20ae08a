# The hub's image for compose.yaml (production topology). Tests never need docker.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY schema ./schema
COPY org_connectors ./org_connectors
COPY bench ./bench
COPY seeds ./seeds
COPY partner ./partner
RUN pip install --no-cache-dir '.[postgres]'
ENV HUB_ENV=prod
EXPOSE 8000
CMD ["hub", "serve", "--host", "0.0.0.0", "--port", "8000"]
