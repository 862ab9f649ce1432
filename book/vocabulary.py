"""Every Chinese and English label and phrase the book's build writes, in one place.

Records, tables, figures drawn by the build and the notebooks' cells name their words by a
key; :func:`label` gives the pair a record stores (``{"zh": ..., "en": ...}``) and
:func:`word` one language's text. A label that differs only by a run's name is composed
(:func:`label` with ``run=``), not written out once per run. A run's dataset and device are
recorded in English; :data:`ZH_PHRASES` turns the phrases it knows into Chinese for the Chinese
pages. tests/test_vocabulary.py checks that no other module of the build writes words of its own.

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
    # The budgets a run may have (book.recipes.BUDGETS).
    "budget_cpu": {"zh": "cpu 预算", "en": "cpu budget"},
    "budget_full": {"zh": "full 预算", "en": "full budget"},
    "budget_smoke": {"zh": "smoke 预算", "en": "smoke budget"},
    "colon": {"zh": "：", "en": ": "},
    # What a run cut from its recipe (book.recipes.cuts), formatted with str.format.
    "cut_batch": {"zh": "批大小 {ran}（原文 {source}）", "en": "batch {ran} (source: {source})"},
    "cut_epochs": {"zh": "{total} 轮中的 {ran} 轮", "en": "{ran} of {total} epochs"},
    "cut_held_out": {
        "zh": "（另有 {held:,} 张留作验证）",
        "en": " ({held:,} more held out for validation)",
    },
    "cut_image_size": {
        "zh": "图像 {size}（原文 {source}）",
        "en": "{size} images (source: {source})",
    },
    "cut_train_images": {
        "zh": "{total:,} 张训练图像中的 {ran:,} 张{held}",
        "en": "{ran:,} of {total:,} training images{held}",
    },
    # The figures only the build draws: book.visualize_training (batch-size study, learning
    # rates) and book.architecture (VGG16's feature maps).
    "fig_batch_size": {"zh": "批大小", "en": "batch size"},
    "fig_epoch_from_0": {"zh": "轮次（epoch，从 0 数起）", "en": "epoch (counted from 0)"},
    "fig_learning_rate_log": {"zh": "学习率（对数坐标）", "en": "learning rate (log scale)"},
    "fig_memory_corrected": {
        "zh": "改正后的估计（参数只算一次）",
        "en": "corrected estimate (weights counted once)",
    },
    "fig_memory_estimate": {"zh": "原文公式的估计", "en": "source's formula"},
    "fig_memory_gib": {"zh": "内存（GiB）", "en": "memory (GiB)"},
    "fig_memory_measured": {
        "zh": "实测（进程内存峰值的增量）",
        "en": "measured (increase of peak process memory)",
    },
    "fig_memory_title": {
        "zh": "内存：原文公式的估计与实测",
        "en": "Memory: the source's estimate vs measured",
    },
    "fig_speed_images_s": {"zh": "训练速度（图像/秒）", "en": "training speed (images/s)"},
    "fig_speed_ours_cpu": {"zh": "本书（CPU）", "en": "this book (CPU)"},
    "fig_speed_source_003": {
        "zh": "原文 003（Colab GPU，由秒/轮换算）",
        "en": "source 003 (Colab GPU, from its s/epoch)",
    },
    "fig_speed_title": {"zh": "训练速度", "en": "Training speed"},
    "fig_vgg_block": {"zh": "区块 {n}", "en": "block {n}"},
    "fig_vgg_channels": {"zh": "通道数（过滤器个数）", "en": "channels (filters)"},
    "fig_vgg_input": {"zh": "输入", "en": "input"},
    "fig_vgg_note": {
        "zh": "左图柱上：特征图尺寸，以及该区块卷积层的参数量之和",
        "en": "Left, on each bar: the feature-map size, and the parameters of the block's "
        "convolutions",
    },
    "fig_vgg_side": {"zh": "特征图边长（像素）", "en": "feature-map side (pixels)"},
    "fig_vgg_title": {
        "zh": "VGG16 各区块输出的特征图：边长减半，通道加倍（到 512 为止）",
        "en": "VGG16 feature maps after each block: the side halves, the channels double "
        "(up to 512)",
    },
    # The line under every result table (book.results.provenance_line) and the run's name in it
    # (book.recipes.run_label).
    "run_commit": {"zh": "{date}，提交 `{commit}`", "en": "{date}, commit `{commit}`"},
    "run_data": {
        "zh": "{dataset}；训练 {train} 张 / 测试 {test} 张",
        "en": "{dataset}: {train} train / {test} test",
    },
    "run_epochs": {"zh": "{epochs} 轮，批大小 {batch}", "en": "{epochs} epochs, batch {batch}"},
    "run_load": {"zh": "负载（1 分钟平均）", "en": "load average"},
    "run_lossy": {
        "zh": "训练图像由 JPEG 副本解码（有损，不是官方像素）",
        "en": "training images decoded from JPEG copies (lossy, not the official pixels)",
    },
    "run_recipe": {"zh": "原文的配方", "en": "the source's recipe"},
    "run_reduced": {"zh": "缩减运行", "en": "reduced"},
    "run_resumed": {
        "zh": "中断后从第 {n} 轮续训",
        "en": "resumed at epoch {n} after an interruption",
    },
    "run_smoke": {
        "zh": "冒烟测试（数字不是结果）",
        "en": "smoke run (its numbers are not results)",
    },
    "run_title": {"zh": "运行记录", "en": "Run"},
    "semicolon": {"zh": "；", "en": "; "},
    # The sources a table sets our numbers beside (a record's source_ref), and the paper that
    # chapter 13 follows.
    "source_000": {"zh": "原文 000《Keras样例练习》", "en": "source 000 (“Keras样例练习”)"},
    "source_002": {
        "zh": "原文 002《手把手教你用keras--CNN网络识别cifar10》",
        "en": "source 002 (CIFAR-10 CNN)",
    },
    "source_003": {"zh": "原文 003《Cifar10图像分类》", "en": "source 003 (“Cifar10图像分类”)"},
    "source_004": {"zh": "原文 004《Keras》教程", "en": "source 004 (“Keras” tutorial)"},
    "source_airbench94": {
        "zh": "airbench94（Jordan 2024，A100，官方像素）",
        "en": "airbench94 (Jordan 2024, A100, official pixels)",
    },
    # A result table's head, and its warning when the record is a smoke run.
    "table_ours": {"zh": "本书复现", "en": "This book"},
    "table_quantity": {"zh": "指标", "en": "Quantity"},
    "table_smoke": {
        "zh": "**冒烟测试（smoke run）的数字，不是结果**："
        "数据与轮数都被缩小，仅用于检查代码能运行。",
        "en": "**Smoke-run numbers, not results**: data and epochs were shrunk only to check that "
        "the code runs.",
    },
    # --- hooks: notebooks, pages -------------------------------------------------------------
    # book.hooks.notebooks: the links under a chapter's title, and the notebook's own cells
    # (what to install and why; a cell that needs a download).
    "notebook_install_commit": {
        "zh": "代码仓库的提交 {commit}",
        "en": "repository commit {commit}",
    },
    "notebook_install_note": {
        "zh": "运行本 notebook 之前，先安装本书的配套包（见“安装”一章）。它在 PyPI 上叫 `{dist}`，"
        "导入时的名字是 `companion`。下面的单元格安装构建这本 notebook 的那个版本（{what}）：",
        "en": "Before running this notebook, install the book's package (see the Install page). "
        "On PyPI it is called `{dist}`; you import it as `companion`. The cell below installs "
        "the very version this notebook was built with ({what}):",
    },
    "notebook_install_release": {"zh": "发布版 {version}", "en": "release {version}"},
    "notebook_install_unpinned": {"zh": "最新发布版", "en": "the latest release"},
    "notebook_links": {
        "zh": '<a href="{nb}" download>:material-download: 下载 Notebook</a> · '
        "[:material-notebook: 在线阅读 Notebook]({page}) · "
        "[:simple-googlecolab: 在 Colab 中打开]({colab})",
        "en": '<a href="{nb}" download>:material-download: Download the notebook</a> · '
        "[:material-notebook: Read it as a notebook]({page}) · "
        "[:simple-googlecolab: Open in Colab]({colab})",
    },
    "notebook_needs_download": {
        "zh": "> **需要下载。** 本书的测试跳过下一个单元格（“{reason}”）：它第一次运行时要从网上"
        "下载文件。notebook 的其余部分不依赖它。",
        "en": '> **Needs a download.** The book\'s tests skip the next cell ("{reason}"): it '
        "fetches files from the internet the first time it runs. The rest of the notebook does "
        "not depend on it.",
    },
}

#: --- records, result tables and the results page: English run descriptions in Chinese ------
#: Datasets and devices are described in English when a run is recorded (the loaders and
#: experiments build those phrases); :func:`book.results.localize` writes a Chinese run line by
#: applying these (pattern, replacement) pairs of :func:`re.sub`, in order, each to the whole
#: text, and keeps anything they do not match as recorded.
ZH_PHRASES: list[tuple[str, str]] = [
    (
        r"CIFAR-10, the first ([\d,]+) training images and all ([\d,]+) test images, "
        r"decoded from JPEG copies \(lossy, quality (\d+)\)",
        r"CIFAR-10：前 \1 张训练图像与全部 \2 张测试图像，由 JPEG 副本解码（有损，质量 \3）",
    ),
    (
        r"CIFAR-10, official python version \(([\d,]+) train / ([\d,]+) test\)",
        r"CIFAR-10 官方 Python 版（\1 训练 / \2 测试）",
    ),
    (
        r"CIFAR-10, official binary version \(([\d,]+) train / ([\d,]+) test\)",
        r"CIFAR-10 官方二进制版（\1 训练 / \2 测试）",
    ),
    (
        r"CIFAR-10 subset: the first ([\d,]+) training and first ([\d,]+) test images "
        r"\(exact pixels\)",
        r"CIFAR-10 子集：前 \1 张训练图像与前 \2 张测试图像（原始像素）",
    ),
    (r"CIFAR-10 from (\S+)", r"CIFAR-10（来自 \1）"),
    (r"CIFAR-10 training images", "CIFAR-10 训练图像"),
    (
        r"MNIST, first ([\d,]+) training images \(CNN\); random inputs for the forward passes",
        r"MNIST 前 \1 张训练图像（CNN）；前向传播用随机输入",
    ),
    (r"random images \((\S+) and (\S+)\)", r"随机图像（\1 与 \2）"),
    (r"random pixels", "随机像素"),
    (r"none \(architecture only, no training\)", "无（只有网络结构，不训练）"),
    (r" \((\d+x\d+) px, md5 ([0-9a-f]+)\)", r"（\1 像素，md5 \2）"),
    (
        r"; cats_and_dogs_filtered: ([\d,]+) validation photos \(([\d,]+) cats, ([\d,]+) dogs\)",
        r"；cats_and_dogs_filtered 验证集的 \1 张照片（猫 \2 张、狗 \3 张）",
    ),
    (r" \((\w+) layout\): ", r"（\1 布局）："),
    (r" \((\w+) layout\)", r"（\1 布局）"),
    (
        r"([\d,]+) train / ([\d,]+) validation / ([\d,]+) test photos",
        r"训练 \1 / 验证 \2 / 测试 \3 张照片",
    ),
    (
        r"cats_and_dogs_filtered, validation/: the first (\d+) cat and (\d+) dog photos "
        r"\(central 87\.5% crop, bicubic to (\d+)x(\d+)\)",
        r"cats_and_dogs_filtered 的 validation/：前 \1 张猫、前 \2 张狗的照片"
        r"（取中央 87.5%，双三次插值缩放到 \3×\4）",
    ),
    (r"^(CPU|GPU): (.*) \((\d+) cores?\)$", r"\1：\2（\3 核）"),
    (r"^(CPU|GPU): ", r"\1："),
]


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
