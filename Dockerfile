# linreg's dashboard in a container: docker build -t linreg . && docker run -p 8501:8501 linreg

# plotly.js's partial bundle, fetched by the Makefile's own pinned, checksummed rule (npm).
FROM node:20-slim AS plotly
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile .
RUN make linreg/page/component/assets/plotly-basic.min.js

FROM python:3.11-slim

WORKDIR /app
COPY requirements.txt .
# requirements.txt pins torch==2.13.0: install its CPU-only build from PyTorch's own wheel index
# (--extra-index-url) to keep the image small; PyPI's default build brings CUDA packages.
RUN pip install --no-cache-dir -r requirements.txt

COPY pyproject.toml README.md app.py ./
COPY linreg ./linreg
COPY --from=plotly /src/linreg/page/component/assets/plotly-basic.min.js linreg/page/component/assets/
COPY sample_data ./sample_data
COPY .streamlit ./.streamlit
RUN pip install --no-cache-dir --no-deps -e .

# One torch thread per computation: sessions share the container's cores (see README, Deploy).
ENV LINREG_TORCH_THREADS=1
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
