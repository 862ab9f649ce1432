"""Every Chinese and English label and phrase the book's build writes, in one place.

Records, tables, figures drawn by the build and the notebooks' cells name their words by a
key; :func:`label` gives the pair a record stores (``{"zh": ..., "en": ...}``) and
:func:`word` one language's text. A label that differs only by a run's name is composed
(:func:`label` with ``run=``), not written out once per run.

The reader's library (``companion``) keeps its own few words (class names, axis titles):
it may not import the build.
"""

from __future__ import annotations

LANGS = ("zh", "en")

#: key -> {"zh": ..., "en": ...}. Keep each section sorted by key.
WORDS: dict[str, dict[str, str]] = {
    # --- result rows shared by several chapters -------------------------------------------
    "params": {"zh": "参数量", "en": "Parameters"},
    "test_accuracy": {"zh": "测试准确率", "en": "Test accuracy"},
    "test_loss": {"zh": "测试损失", "en": "Test loss"},
    "train_accuracy": {"zh": "最后一轮训练准确率", "en": "Training accuracy, last epoch"},
    "training_time": {"zh": "训练时间", "en": "Training time"},
    # --- chapters 01-06 ----------------------------------------------------------------------
    "ch01_fit_accuracy": {"zh": "测试准确率：fit", "en": "Test accuracy: fit"},
    "ch01_fit_s": {"zh": "训练耗时：fit", "en": "Training time: fit"},
    "ch01_loop_accuracy": {
        "zh": "测试准确率：train_on_batch 循环",
        "en": "Test accuracy: train_on_batch loop",
    },
    "ch01_loop_s": {
        "zh": "训练耗时：train_on_batch 循环",
        "en": "Training time: train_on_batch loop",
    },
    "ch01_params": {"zh": "参数量（784 个输入）", "en": "Parameters (784 inputs)"},
    "ch02_training_time": {
        "zh": "训练时间（原文：日志里 20 轮耗时之和）",
        "en": "Training time (source: its log's 20 epoch times, summed)",
    },
    "ch03_augmented": {"zh": "有增强", "en": "with augmentation"},
    "ch03_plain": {"zh": "无增强", "en": "no augmentation"},
    "ch03_reloaded_accuracy": {
        "zh": "重新加载后的测试准确率（有增强）",
        "en": "Test accuracy after reloading (with augmentation)",
    },
    "ch04_from_config_accuracy": {
        "zh": "from_config 重建、尚未复制权重的模型的准确率（前 100 张测试图片）",
        "en": "Accuracy of the from_config rebuild before copying weights (first 100 test images)",
    },
    "ch05_author_accuracy": {
        "zh": "测试准确率：原文作者自己的运行（20 轮）",
        "en": "Test accuracy: the author's own run (20 epochs)",
    },
    "ch05_author_time": {
        "zh": "训练时间（原文作者：日志里 20 轮的耗时之和，每轮 259–348 秒）",
        "en": "Training time (the author: the sum of the 20 epoch times in its log, "
        "259–348 s each)",
    },
    "ch05_example_time": {
        "zh": "训练时间（Keras 示例：200 轮，GTX 1080 Ti 上每轮 35 秒）",
        "en": "Training time (the Keras example: 200 epochs at 35 s each, GTX 1080 Ti)",
    },
    "ch05_lr_compressed": {
        "zh": "压缩到本次轮数的学习率计划",
        "en": "The ResNet schedule compressed to this run's epochs",
    },
    "ch05_lr_demo": {
        "zh": "ReduceLROnPlateau 每轮都触发时的学习率",
        "en": "Learning rate when ReduceLROnPlateau fires every epoch",
    },
    "ch05_lr_fixed": {
        "zh": "改正后（在当前学习率上相乘）",
        "en": "corrected (multiplies the current rate)",
    },
    "ch05_lr_recipe": {
        "zh": "ResNet 学习率计划（200 轮）",
        "en": "ResNet learning-rate schedule (200 epochs)",
    },
    "ch05_lr_source": {"zh": "原文的写法（只看 epoch）", "en": "the source's wiring (epoch only)"},
    "ch05_lr_used": {"zh": "每轮实际使用的学习率", "en": "rate each epoch trained with"},
    "ch05_resnet20": {"zh": "ResNet20v1", "en": "ResNet20v1"},
    "ch05_resnet20_shifts": {"zh": "ResNet20v1，平移与翻转", "en": "ResNet20v1, shifts and flips"},
    "ch05_resnet29": {"zh": "ResNet29v2", "en": "ResNet29v2"},
    "ch05_resnet29_shifts": {"zh": "ResNet29v2，平移与翻转", "en": "ResNet29v2, shifts and flips"},
    "ch06_binary_accuracy": {
        "zh": "测试集二元准确率（原文报告的“准确率”就是它，但出自二元交叉熵训练）",
        "en": 'Test binary accuracy (what the source reports as "accuracy", from its binary '
        "cross-entropy run)",
    },
    "ch06_binary_run": {"zh": "二元交叉熵训练", "en": "Trained with binary cross-entropy"},
    "ch06_binary_run_binary_accuracy": {
        "zh": "二元交叉熵训练：测试集“准确率”（实为二元准确率）",
        "en": 'Trained with binary cross-entropy: test "accuracy" (binary accuracy)',
    },
    "ch06_binary_run_categorical_accuracy": {
        "zh": "二元交叉熵训练：测试集分类准确率",
        "en": "Trained with binary cross-entropy: test classification accuracy",
    },
    "ch06_categorical_accuracy": {
        "zh": "测试集分类准确率（原文未报告）",
        "en": "Test classification accuracy (the source reports none)",
    },
    "ch06_categorical_run": {
        "zh": "分类交叉熵训练",
        "en": "Trained with categorical cross-entropy",
    },
    "ch06_memory_estimate": {
        "zh": "原文公式估计的内存，批大小 128（GiB）",
        "en": "Memory by the source's formula, batch 128 (GiB)",
    },
    "ch06_memory_measured": {
        "zh": "实测内存增量，批大小 128（GiB）",
        "en": "Measured memory increase, batch 128 (GiB)",
    },
    "ch06_test_training_mode": {
        "zh": "{run}：{n} 张测试图片上的分类准确率，训练模式（每批自己的 BN 统计量，dropout 开启）",
        "en": "{run}: classification accuracy on {n} test images, training mode (each batch's own "
        "BN statistics, dropout on)",
    },
    "ch06_train_inference_mode": {
        "zh": "{run}：{n} 张训练图片上的分类准确率，推理模式",
        "en": "{run}: classification accuracy on {n} training images, inference mode",
    },
    "ch06_trainable": {"zh": "可训练参数", "en": "Trainable parameters"},
    # --- chapters 07-13 ----------------------------------------------------------------------
    # --- records, result tables and the results page -----------------------------------------
    # --- hooks: notebooks, pages -------------------------------------------------------------
}


def label(key: str | dict[str, str], run: str | dict[str, str] | None = None) -> dict[str, str]:
    """The ``{"zh", "en"}`` pair for ``key`` (a key of :data:`WORDS`, or a pair itself).

    With ``run`` (a key or a pair naming one run of a chapter, e.g. "with augmentation"),
    the run's name follows in brackets: "测试准确率（有增强）" / "Test accuracy (with
    augmentation)".

    Raises:
        KeyError: for a key that :data:`WORDS` does not hold (add it there).
    """
    pair = dict(key) if isinstance(key, dict) else dict(WORDS[key])
    if run is not None:
        name = dict(run) if isinstance(run, dict) else WORDS[run]
        pair = {"zh": f"{pair['zh']}（{name['zh']}）", "en": f"{pair['en']} ({name['en']})"}
    return pair


def word(key: str, lang: str) -> str:
    """One language's text for ``key``.

    Raises:
        KeyError: for an unknown key; ValueError for a language other than zh or en.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return WORDS[key][lang]
