# Two commands a newcomer needs: `make train` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_VERSION ?= 2.13.0
# Without CUDA take the CPU build of torch (an unpinned `pip install torch` pulls a multi-GB CUDA build).
# A GPU user runs `make install TORCH_INDEX=` (PyPI's default CUDA build) or names a CUDA index.
ifeq ($(shell command -v nvidia-smi),)
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
endif
DATA_DIR ?= $(or $(DIGITS_DATA_DIR),$(wildcard ../shared/data/mnist))
DATA_FLAG := $(if $(DATA_DIR),--data-dir $(DATA_DIR),)
TRAIN_ARGS ?=
SERVE_ARGS ?=
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: install browser train test serve clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || \
	  $(BIN)/python -m pip install -q --retries 1 "torch==$(TORCH_VERSION)" \
	    $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)
	$(BIN)/python -m pip install -q -e ".[train,serve,dev]"
	touch $@

# Debian's Chromium for the browser test (Playwright's own browser download cannot work offline).
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium and chromium-driver for the browser test"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null; }

train: install
	$(BIN)/digits train $(DATA_FLAG) $(TRAIN_ARGS)

test: install browser
	DIGITS_DATA_DIR=$(DATA_DIR) $(BIN)/python -m pytest

serve: install
	$(BIN)/digits serve $(SERVE_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
