# Two commands on a fresh machine: `make run` (the app on the demo project) and `make test`.
PYTHON ?= python3
# GPU=1 (`make run GPU=1`, `make test GPU=1`): TensorFlow's CUDA build (the `gpu` extra, Linux x86-64) in its own
# environment, .venv-gpu, so the default .venv keeps tensorflow-cpu. tensorflow-cpu and tensorflow install the same
# `tensorflow` package, and the base dependencies name tensorflow-cpu on x86-64: once both are in, tensorflow-cpu is
# uninstalled (its files are tensorflow's too) and tensorflow reinstalled from pip's cache, so the CUDA build is what
# imports. The Training dock and each run's record say which device a run trained on.
GPU ?= 0
ifeq ($(GPU),1)
VENV := .venv-gpu
EXTRAS := test,gpu
else
VENV := .venv
EXTRAS := test
endif
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo opened by `make run`: 30% of its images come with their true boxes and masks (verified), so a classifier,
# a box detector and a U-Net can be trained at once; the rest of the truth stays in ground_truth/ for benchmarks.
DEMO := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/labelstudio-desktop/demo-annotated
DEMO_ANNOTATED := 0.3

.PHONY: install run test lint bench screenshot translations clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
ifeq ($(GPU),1)
	if $(BIN)/python -m pip show --quiet tensorflow-cpu 2>/dev/null; then \
	  version=$$($(BIN)/python -m pip show tensorflow | sed -n 's/^Version: //p'); \
	  $(BIN)/python -m pip uninstall --quiet --yes tensorflow-cpu && \
	  $(BIN)/python -m pip install --quiet --force-reinstall --no-deps "tensorflow==$$version"; fi
endif
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	test -f $(DEMO)/images/.labelstudio/project.db || $(BIN)/labelstudio-desktop demo $(DEMO) --annotated $(DEMO_ANNOTATED)
	$(BIN)/python main.py $(DEMO)/images

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider tests; \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# Benchmarks print their ratios against the baselines named in the issues. imagededup is installed without
# its torch dependency: its hashing methods (the baseline) do not use it, and torch would cost gigabytes.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps imagededup
	$(BIN)/python -m pip install --quiet tqdm scikit-learn PyWavelets scikit-image
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/browser_open.py
	$(BIN)/python benchmarks/dedup_speed.py
	$(BIN)/python benchmarks/dedup_speed.py --size 2000 1500
	$(BIN)/python benchmarks/train_throughput.py
	$(BIN)/python benchmarks/proposals.py
	$(BIN)/python benchmarks/cold_start.py --dataset demo
	$(BIN)/python benchmarks/cold_start.py --dataset bccd-wbc
	$(BIN)/python benchmarks/detector_speed.py
	$(BIN)/python benchmarks/review_loop.py
	$(BIN)/python benchmarks/unet_quality.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/mask_stroke.py
	$(BIN)/python benchmarks/durability.py

lint: $(STAMP)
	$(BIN)/ruff check labelstudio_desktop tests benchmarks main.py

# The README screenshots (English and Japanese; the Japanese ones need a CJK font, e.g. Debian's fonts-noto-cjk): the
# demo with its true boxes imported into a separate database.
SHOT := /tmp/labelstudio-desktop-screenshot
screenshot: $(STAMP)
	rm -rf $(SHOT) && $(BIN)/labelstudio-desktop demo $(SHOT) >/dev/null
	$(BIN)/labelstudio-desktop import $(SHOT)/images --db $(SHOT)/shot.db \
	  --annotations $(SHOT)/ground_truth/annotations >/dev/null
	QT_QPA_PLATFORM=offscreen $(BIN)/python main.py $(SHOT)/images --db $(SHOT)/shot.db \
	  --image nut/nut_000.jpg --language en --screenshot docs/main-window.png
	QT_QPA_PLATFORM=offscreen $(BIN)/python main.py $(SHOT)/images --db $(SHOT)/shot.db \
	  --image nut/nut_000.jpg --language ja --screenshot docs/main-window-ja.png
	$(BIN)/python docs/review_screenshot.py docs/review.png --ja docs/review-ja.png
	$(BIN)/python docs/map_screenshot.py docs/dataset-map.png --ja docs/dataset-map-ja.png --project $(SHOT)

# The Japanese UI: pyside6-lupdate extracts every tr()/translate() string of gui/ into the .ts (the translations' source,
# edited by hand or in pyside6-linguist; entries without a translation are marked unfinished), pyside6-lrelease
# compiles it into the .qm the app loads. tests/gui/test_translations.py fails when the two are out of step.
TS_JA := resources/translations/labelstudio_desktop_ja.ts
translations: $(STAMP)
	$(BIN)/pyside6-lupdate -locations none -no-obsolete -target-language ja labelstudio_desktop/gui/*.py -ts $(TS_JA)
	$(BIN)/pyside6-lrelease $(TS_JA) -qm $(TS_JA:.ts=.qm)

clean:
	rm -rf $(VENV) build *.egg-info
