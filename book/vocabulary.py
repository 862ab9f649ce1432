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
    "ch07.blue": {"zh": "蓝", "en": "blue"},
    "ch07.cifar_stat": {
        "zh": "CIFAR-10 {ch}通道{stat}（0–1）",
        "en": "CIFAR-10 {ch} channel {stat} (0–1)",
    },
    "ch07.flow": {
        "zh": "ImageAugmenter.flow（流水线步骤）",
        "en": "ImageAugmenter.flow (pipeline step)",
    },
    "ch07.green": {"zh": "绿", "en": "green"},
    "ch07.layer": {
        "zh": "ImageAugmenter 作为层（编译后）",
        "en": "ImageAugmenter as a layer (compiled)",
    },
    "ch07.legacy": {
        "zh": "旧 ImageDataGenerator（tf_keras）",
        "en": "legacy ImageDataGenerator (tf_keras)",
    },
    "ch07.mean": {"zh": "均值", "en": "mean"},
    "ch07.mnist_after_mean": {
        "zh": "标准化后的均值（前 2,000 张）",
        "en": "Mean after standardization (first 2,000)",
    },
    "ch07.mnist_after_std": {
        "zh": "标准化后的标准差（前 2,000 张）",
        "en": "Std after standardization (first 2,000)",
    },
    "ch07.mnist_mean": {"zh": "MNIST 像素均值（0–255）", "en": "MNIST pixel mean (0–255)"},
    "ch07.mnist_shear": {
        "zh": "MNIST shear_range={angle}：像素平均绝对变化（0–255）",
        "en": "MNIST shear_range={angle}: mean absolute pixel change (0–255)",
    },
    "ch07.mnist_std": {"zh": "MNIST 像素标准差（0–255）", "en": "MNIST pixel std (0–255)"},
    "ch07.rate": {"zh": "{shape} · {way}{ratio} 图像/秒", "en": "{shape} · {way}{ratio}, images/s"},
    "ch07.ratio": {"zh": "（{r:.1f}×）", "en": " ({r:.1f}×)"},
    "ch07.red": {"zh": "红", "en": "red"},
    "ch07.std": {"zh": "标准差", "en": "std"},
    "ch07.tf.data": {"zh": "ImageAugmenter 放进 tf.data", "en": "ImageAugmenter in tf.data"},
    "ch07.zca": {"zh": "{name} ZCA 后{what}", "en": "{name} after ZCA: {what}"},
    "ch07.zca_largest": {"zh": "最大方差", "en": "largest variance"},
    "ch07.zca_near_one": {
        "zh": "方差为 1±0.01 的主方向占比",
        "en": "share of directions with variance 1±0.01",
    },
    "ch07.zca_near_zero": {
        "zh": "方差低于 0.01 的主方向占比",
        "en": "share of directions with variance below 0.01",
    },
    "ch08.call_1": {"zh": "第一次调用", "en": "first call"},
    "ch08.call_2": {"zh": "第二次调用", "en": "second call"},
    "ch08.convnet": {
        "zh": "卷积网络（改正后，本书）",
        "en": "Convolutional network (corrected, this book)",
    },
    "ch08.convnet_as_written": {
        "zh": "卷积网络（原文写法，缺 Flatten）",
        "en": "Convolutional network (as written, no Flatten)",
    },
    "ch08.convnet_test_accuracy": {
        "zh": "改正后的卷积网络：MNIST 测试准确率（{n:,} 张训练图，2 轮）",
        "en": "Corrected CNN: MNIST test accuracy ({n:,} training images, 2 epochs)",
    },
    "ch08.forward": {
        "zh": "多输出模型前向计算（2 个序列），{head}：{call}",
        "en": "Multiple outputs, forward pass (2 sequences), {head}: {call}",
    },
    "ch08.multilayer_perceptron": {"zh": "多层感知机", "en": "Multilayer perceptron"},
    "ch08.multiple_inputs": {"zh": "多输入模型", "en": "Multiple inputs"},
    "ch08.multiple_outputs": {"zh": "多输出模型", "en": "Multiple outputs"},
    "ch08.recurrent_network": {"zh": "循环网络（LSTM）", "en": "Recurrent network (LSTM)"},
    "ch08.shared_feature_extractor": {"zh": "共享特征提取层", "en": "Shared feature extractor"},
    "ch08.shared_input": {"zh": "共享输入层", "en": "Shared input layer"},
    "ch09.params_applications": {
        "zh": "参数量：keras.applications.VGG16",
        "en": "Parameters: keras.applications.VGG16",
    },
    "ch09.params_functional": {"zh": "参数量：函数式 API 版", "en": "Parameters: functional API"},
    "ch09.params_sequential": {"zh": "参数量：Sequential 版", "en": "Parameters: Sequential"},
    "ch09.same_layers": {
        "zh": "三者逐层名称、形状、参数量相同",
        "en": "Same layer names, shapes and counts, all three",
    },
    "ch10.animal_cats": {"zh": "猫", "en": "cats"},
    "ch10.animal_dogs": {"zh": "狗", "en": "dogs"},
    "ch10.cats": {"zh": "验证集的猫", "en": "validation cats"},
    "ch10.dogs": {"zh": "验证集的狗", "en": "validation dogs"},
    "ch10.first_call_s": {
        "zh": "EfficientNet-Lite0：第一次调用 classify（建网络、读权重）",
        "en": "EfficientNet-Lite0: first call of classify (builds the network, reads the weights)",
    },
    "ch10.group_header": {
        "zh": "| 照片 | 第一名是猫的类别（281–285） | 狗的类别（151–268） | 其他类别 |",
        "en": "| Photos | top-1 a cat class (281–285) | a dog class (151–268) | another class |",
    },
    "ch10.legend_cat": {"zh": "猫的类别（281–285）", "en": "a cat class (281–285)"},
    "ch10.legend_dog": {"zh": "狗的类别（151–268）", "en": "a dog class (151–268)"},
    "ch10.legend_other": {"zh": "其他类别", "en": "another class"},
    "ch10.max_probability_difference": {
        "zh": "ONNX {p} 与 Keras 概率的最大差",
        "en": "ONNX {p}: largest probability difference",
    },
    "ch10.ms_per_image": {
        "zh": "EfficientNet-Lite0：每张照片的预测时间（毫秒，批大小 {b} 的中位数）",
        "en": "EfficientNet-Lite0: ms per photo to predict (median over batches of {b})",
    },
    "ch10.photo_cat.2000": {
        "zh": "一只黑白相间的猫坐在毯子上",
        "en": "A black-and-white cat sitting on a blanket",
    },
    "ch10.photo_cat.2001": {
        "zh": "一只黑白相间的猫趴在纸箱里",
        "en": "A black-and-white cat lying in a cardboard box",
    },
    "ch10.photo_creative_commons_elephant": {
        "zh": "一头非洲象和它的幼崽",
        "en": "An African elephant and her calf",
    },
    "ch10.photo_dog.2000": {
        "zh": "一只拴着红绳的黑色小狗站在草地上",
        "en": "A small black dog on a red lead, on grass",
    },
    "ch10.photo_dog.2001": {
        "zh": "一只浅棕色的狗张着嘴",
        "en": "A light-brown dog with its mouth open",
    },
    "ch10.row": {"zh": "{a}（{n} 张）", "en": "{a} ({n})"},
    "ch10.same_top1": {"zh": "ONNX {p} 与 Keras 第一名相同", "en": "ONNX {p}: same top-1 as Keras"},
    "ch10.same_top5": {
        "zh": "ONNX {p} 与 Keras 前五名（含顺序）相同",
        "en": "ONNX {p}: same top-5, in order",
    },
    "ch10.share": {"zh": "{k} 张（{p:.1%}）", "en": "{k} ({p:.1%})"},
    "ch10.smoke": {
        "zh": "**冒烟测试（smoke run）的数字，不是结果。**",
        "en": "**Smoke-run numbers, not results.**",
    },
    "ch10.title": {
        "zh": "{n} 张验证集{a}照片：最常见的第一名类别",
        "en": "{n} validation {a}: the most frequent top-1 classes",
    },
    "ch10.top1": {"zh": "{name}：第一名", "en": "{name}: top-1"},
    "ch10.top5_header": {
        "zh": "| 照片 | 第 1 名 | 第 2 名 | 第 3 名 | 第 4 名 | 第 5 名 |",
        "en": "| Photo | 1st | 2nd | 3rd | 4th | 5th |",
    },
    "ch10.top_header": {
        "zh": "| 名次 | 猫照片的第一名 | 张数 | 狗照片的第一名 | 张数 |",
        "en": "| Rank | top-1 of the cat photos | photos | top-1 of the dog photos | photos |",
    },
    "ch10.web_model_size": {"zh": "网页上的模型文件（MB）", "en": "The page's model file (MB)"},
    "ch10.xlabel": {"zh": "照片数", "en": "photos"},
    "ch10.zero_shot_cats": {
        "zh": "EfficientNet-Lite0：{n} 张验证集猫照片中第一名是猫的类别",
        "en": "EfficientNet-Lite0: validation cats ({n}) with a cat class as top-1",
    },
    "ch10.zero_shot_dogs": {
        "zh": "EfficientNet-Lite0：{n} 张验证集狗照片中第一名是狗的类别",
        "en": "EfficientNet-Lite0: validation dogs ({n}) with a dog class as top-1",
    },
    "ch10.zero_shot_summed": {
        "zh": "EfficientNet-Lite0：猫还是狗（按两类概率之和，{n:,} 张）",
        "en": "EfficientNet-Lite0: cat or dog by summed class probabilities ({n:,} photos)",
    },
    "ch11.augmented_best_val": {
        "zh": "增强 + Dropout：最高验证准确率",
        "en": "Augmentation + dropout: best validation accuracy",
    },
    "ch11.augmented_final_val": {
        "zh": "增强 + Dropout：最后一轮验证准确率",
        "en": "Augmentation + dropout: last-epoch validation accuracy",
    },
    "ch11.best_epoch": {
        "zh": "验证准确率最高的一轮",
        "en": "Epoch of the best validation accuracy",
    },
    "ch11.features_val": {
        "zh": "特征提取：最后一轮验证准确率（原文：用预训练网络 90%～93%，只预告未演示）",
        "en": (
            "Feature extraction: last-epoch validation accuracy (source: 90–93% with a "
            "pretrained network, announced, not shown)"
        ),
    },
    "ch11.final_train": {"zh": "最后一轮训练准确率", "en": "Last-epoch training accuracy"},
    "ch11.final_val": {"zh": "最后一轮验证准确率", "en": "Last-epoch validation accuracy"},
    "ch11.fine_tune_val": {
        "zh": "微调：最后一轮验证准确率（原文：只预告未演示）",
        "en": "Fine-tuning: last-epoch validation accuracy (source: announced, not shown)",
    },
    "ch11.layers_same": {
        "zh": "同上（Keras 层，四次重采样）",
        "en": "The same with the Keras layers (four resamplings)",
    },
    "ch11.lite0_augmented_val": {
        "zh": "特征提取 + 数据增强：最后一轮验证准确率",
        "en": "Feature extraction with augmentation: last-epoch validation accuracy",
    },
    "ch11.lite0_budget_cuts": {
        "zh": (
            "原文没有给出配方；cpu 预算训练 {a} 轮带增强的特征提取、{f} 轮微调（full 预算各 30 "
            "轮）；在提取出的特征上训练分类器 {c} 轮"
        ),
        "en": (
            "the source shows no recipe; the cpu budget trains {a} epochs with augmentation and "
            "{f} of fine-tuning (the full budget 30 and 30); the classifier on the extracted "
            "features trains {c} epochs"
        ),
    },
    "ch11.lite0_features_val": {
        "zh": "特征提取（特征只算一次）：最后一轮验证准确率（原文：90%～93%，只预告未演示）",
        "en": (
            "Feature extraction (features computed once): last-epoch validation accuracy "
            "(source: 90–93%, announced, not shown)"
        ),
    },
    "ch11.lite0_fine_tune_val": {
        "zh": "微调：最后一轮验证准确率（原文：95%，只预告未演示）",
        "en": "Fine-tuning: last-epoch validation accuracy (source: 95%, announced, not shown)",
    },
    "ch11.one_best_val": {
        "zh": "一次重采样：最高验证准确率",
        "en": "One resampling: best validation accuracy",
    },
    "ch11.one_final_val": {
        "zh": "一次重采样：最后一轮验证准确率",
        "en": "One resampling: last-epoch validation accuracy",
    },
    "ch11.one_test": {
        "zh": "一次重采样：测试准确率（原文没有报告）",
        "en": "One resampling: test accuracy (not reported by the source)",
    },
    "ch11.params": {
        "zh": "小卷积网络参数量（150×150 输入）",
        "en": "Small convnet parameters (150×150 input)",
    },
    "ch11.run_augmented": {"zh": "+ 数据增强、Dropout(0.5)", "en": "+ augmentation, Dropout(0.5)"},
    "ch11.run_features": {
        "zh": "特征提取（冻结的 CIFAR-10 卷积基）",
        "en": "Feature extraction (frozen CIFAR-10 base)",
    },
    "ch11.run_fine_tune": {
        "zh": "微调：再解冻 block2，学习率 1e-5",
        "en": "Fine-tuning: block2 unfrozen too, learning rate 1e-5",
    },
    "ch11.run_scratch": {"zh": "从零训练", "en": "From scratch"},
    "ch11.same_test": {"zh": "同上：测试准确率", "en": "The same: test accuracy"},
    "ch11.scratch_best_val": {
        "zh": "从零训练：最高验证准确率",
        "en": "From scratch: best validation accuracy",
    },
    "ch11.scratch_final_val": {
        "zh": "从零训练：最后一轮验证准确率",
        "en": "From scratch: last-epoch validation accuracy",
    },
    "ch11.table_foot": {
        "zh": (
            "迁移学习的卷积基是第 3 章训练好的 CIFAR-10 网络（无增强的那次运行，CIFAR-10 "
            "测试准确率 {a}，图像由 JPEG 副本解码，有损），它的训练时间不计入上表。"
        ),
        "en": (
            "The transfer base is chapter 03's trained CIFAR-10 network (its run without "
            "augmentation, CIFAR-10 test accuracy {a}, images decoded from JPEG copies, lossy); "
            "its training time is not in the table."
        ),
    },
    "ch11.table_header": {
        "zh": (
            "| 方法 | 输入 | 参数：可训练 / 总数 | 轮数 × 批大小 | 耗时 | 验证准确率：最高（轮） "
            "| 最后 | 测试准确率 |"
        ),
        "en": (
            "| Approach | Input | Parameters: trainable / all | Epochs × batch | Time | "
            "Validation: best (epoch) | last | Test accuracy |"
        ),
    },
    "ch11.test_not_reported": {
        "zh": "测试准确率（原文没有报告）",
        "en": "Test accuracy (not reported by the source)",
    },
    "ch12.cat": {"zh": "猫", "en": "cat"},
    "ch12.ceiling_top_activation": {
        "zh": "`top_activation`：停在 ReLU6 上限 6 的通道",
        "en": "`top_activation`: channels stopped at ReLU6's ceiling of 6",
    },
    "ch12.cifar_test_accuracy": {
        "zh": "第 3 章 CIFAR-10 网络的测试准确率",
        "en": "Test accuracy of chapter 3's CIFAR-10 network",
    },
    "ch12.dog": {"zh": "狗", "en": "dog"},
    "ch12.lit": {
        "zh": "`{name}`：梯度上升后激活大于 0 的通道",
        "en": "`{name}`: channels with activation > 0 after ascent",
    },
    "ch12.lit_filters": {
        "zh": "`{name}`：激活大于 0 的滤波器",
        "en": "`{name}`: filters with activation > 0",
    },
    "ch12.right_species": {
        "zh": "猫狗照片归入本物种 ImageNet 类别的张数",
        "en": "Photos put in an ImageNet class of their species",
    },
    "ch12.vgg16_filters_kept": {
        "zh": "VGG16 block5_conv1：得到图像的滤波器",
        "en": "VGG16 block5_conv1: filters with an image",
    },
    "ch13.busy": {
        "zh": (
            "\\* "
            "训练时本书的测试也在同一台两核机器上运行：它的轮数是按机器空闲时的速度定的，让它和完"
            "整配方训练同样长的时间，但测得的用时不可比较。"
        ),
        "en": (
            "\\* Trained while the book's tests shared the two cores: its epochs were set from "
            "its quiet speed to train as long as the whole recipe did, but its measured time is "
            "not comparable."
        ),
    },
    "ch13.foot": {
        "zh": (
            "全部 10,000 张测试图像，由 JPEG "
            "解码（有损）。TTA：测试时增强（镜像与一像素平移）。ResNet20 "
            "轮数：本次运行的用时除以同一台机器上紧挨着运行前后各计时一次的第 05 章 Keras "
            "示例配方的一轮（{units}）。第 05 章的两行：最佳检查点，不用 "
            "TTA；按单位的定义，它们的用时就是各自的轮数。"
        ),
        "en": (
            "All 10,000 test images, JPEG-decoded (lossy). TTA: test-time augmentation (mirror "
            "and one-pixel shifts). ResNet20 epochs: the run's time divided by one epoch of "
            "chapter 05's Keras-example recipe timed on the same machine just before and after "
            "it ({units}). Chapter 05's rows: the best checkpoint, no TTA; their time is their "
            "epoch count by the unit's definition."
        ),
    },
    "ch13.header": {
        "zh": "| 运行 | 轮数 | 测试准确率（TTA） | 不用 TTA | 用时 | ResNet20 轮数 | 到 84.5% |",
        "en": (
            "| Run | Epochs | Test accuracy (TTA) | without TTA | Time | ResNet20 epochs | to "
            "84.5% |"
        ),
    },
    "ch13.min": {"zh": "分钟", "en": "min"},
    "ch13.no_cuts": {
        "zh": "无：在全部 50,000 张训练图像上跑完整配方",
        "en": "none: the whole recipe on all 50,000 training images",
    },
    "ch13.params": {
        "zh": "参数量（按 PyTorch 的数法）",
        "en": "Parameters (counted as PyTorch does)",
    },
    "ch13.run_author": {
        "zh": "第 05 章：ResNet20v1，原作者的配方",
        "en": "Chapter 05: ResNet20v1, the author's recipe",
    },
    "ch13.run_final": {"zh": "完整配方", "en": "The whole recipe"},
    "ch13.run_final_seed1": {"zh": "完整配方，种子 1", "en": "The whole recipe, seed 1"},
    "ch13.run_final_seed2": {"zh": "完整配方，种子 2", "en": "The whole recipe, seed 2"},
    "ch13.run_keras_example": {
        "zh": "第 05 章：ResNet20v1，Keras 示例的配方（40 轮）",
        "en": "Chapter 05: ResNet20v1, the Keras example's recipe (40 epochs)",
    },
    "ch13.run_no_alternating_flip": {
        "zh": "随机翻转代替交替翻转",
        "en": "random flips instead of alternating ones",
    },
    "ch13.run_no_bias_scaler": {
        "zh": "去掉 BatchNorm 偏置的 64 倍学习率",
        "en": "without the 64× rate for BatchNorm biases",
    },
    "ch13.run_no_dirac": {"zh": "去掉恒等初始化", "en": "without identity initialisation"},
    "ch13.run_no_label_smoothing": {"zh": "去掉标签平滑", "en": "without label smoothing"},
    "ch13.run_no_lookahead": {"zh": "去掉 lookahead", "en": "without lookahead"},
    "ch13.run_no_whitening": {
        "zh": "去掉图块白化（换成可训练的 2×2 卷积）",
        "en": "without patch whitening (a trained 2×2 convolution)",
    },
    "ch13.run_reference": {
        "zh": "对照：airbench94 的配方用 PyTorch 实现（用时不比较）",
        "en": "Cross-check: airbench94's recipe in PyTorch (time not compared)",
    },
    "ch13.run_resnet20": {"zh": "ResNet20v1 用完整配方", "en": "ResNet20v1 with the whole recipe"},
    "ch13.test_accuracy": {
        "zh": "测试准确率（完整配方，TTA）",
        "en": "Test accuracy (whole recipe, TTA)",
    },
    "ch13.time_in_resnet20_epochs": {"zh": "用时（ResNet20 轮数）", "en": "Time (ResNet20 epochs)"},
    "ch13.time_to_84_5_in_resnet20_epochs": {
        "zh": "到 84.5% 的用时（ResNet20 轮数）",
        "en": "Time to 84.5% (ResNet20 epochs)",
    },
    "ch13.xlabel": {"zh": "时间（ResNet20 轮数）", "en": "time (ResNet20 epochs)"},
    "ch13.ylabel": {"zh": "测试准确率（%，不用 TTA）", "en": "test accuracy (%, no TTA)"},
    "smoke_numbers": {
        "zh": "**冒烟测试的数字，不是结果。**",
        "en": "**Smoke-run numbers, not results.**",
    },
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
