# linreg's dashboard in a container: docker build -t linreg . && docker run -p 8501:8501 linreg
FROM python:3.11-slim

WORKDIR /app
COPY requirements.lock .
# requirements.lock pins torch 2.13.0's CPU build (+cpu): PyPI has no such file; install it from
# PyTorch's CPU-only wheel index (--extra-index-url) to keep the image small.
RUN pip install --no-cache-dir -r requirements.lock

COPY pyproject.toml README.md app.py ./
COPY linreg ./linreg
COPY sample_data ./sample_data
COPY .streamlit ./.streamlit
RUN pip install --no-cache-dir --no-deps -e .

# One torch thread per computation: sessions share the container's cores (see README, Deploy).
ENV LINREG_TORCH_THREADS=1
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
