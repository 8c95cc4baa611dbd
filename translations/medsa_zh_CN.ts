<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>main</name>
    <message>
        <location filename="../app/studio/main.cpp" line="94"/>
        <source>Interactive medical image annotation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="98"/>
        <source>Open the built-in demo volume.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="101"/>
        <source>SAM / Med-SA checkpoint (.pth or .safetensors).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="105"/>
        <source>Model geometry as JSON (default: inferred).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="109"/>
        <source>Folder for autosaves (default: the user&apos;s data folder).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="113"/>
        <source>Label map to open with the image (NIfTI, NRRD, PNG).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="117"/>
        <source>Image file or DICOM folder.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>medsa::annotations::EditHistory</name>
    <message>
        <location filename="../annotations/src/label_edit.cpp" line="85"/>
        <source>%1 (no longer undoable: memory limit)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>medsa::ui</name>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="13"/>
        <source>CT Brain</source>
        <translation>CT 脑窗</translation>
    </message>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="14"/>
        <source>CT Lung</source>
        <translation>CT 肺窗</translation>
    </message>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="15"/>
        <source>CT Abdomen</source>
        <translation>CT 腹部窗</translation>
    </message>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="16"/>
        <source>CT Bone</source>
        <translation>CT 骨窗</translation>
    </message>
</context>
<context>
    <name>medsa::ui::Document</name>
    <message>
        <location filename="../ui/src/document.cpp" line="23"/>
        <location filename="../ui/src/document.cpp" line="37"/>
        <source>Label 1</source>
        <translation>标签 1</translation>
    </message>
</context>
<context>
    <name>medsa::ui::LabelPanel</name>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="22"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="22"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="22"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="32"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="34"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="40"/>
        <source>Opacity of the label overlay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="46"/>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="85"/>
        <source>Double-click to change the colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="88"/>
        <source>Value %1 in the label map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="136"/>
        <source>Label Colour</source>
        <translation>标签颜色</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="144"/>
        <source>Label %1</source>
        <translation>标签 %1</translation>
    </message>
</context>
<context>
    <name>medsa::ui::MainWindow</name>
    <message>
        <location filename="../ui/src/main_window.cpp" line="57"/>
        <source>Med-SA Studio</source>
        <translation>Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="78"/>
        <source>Autosave failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="88"/>
        <source>Labels saved to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="90"/>
        <source>Cannot save labels</source>
        <translation>无法保存标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="110"/>
        <source>click → mask %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="113"/>
        <source>Computing image embedding…</source>
        <translation>正在计算图像嵌入…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="119"/>
        <source>Image embedding computed in %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="123"/>
        <source>Model loaded: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="128"/>
        <source>Cannot load the model</source>
        <translation>无法加载模型</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="144"/>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="151"/>
        <source>&lt;opened image&gt;</source>
        <translation>&lt;已打开的图像&gt;</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="152"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="174"/>
        <location filename="../ui/src/main_window.cpp" line="742"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="187"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="202"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="204"/>
        <source>&amp;Open Image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="205"/>
        <source>Open an image file (NIfTI, NRRD, MetaImage, DICOM, PNG, JPEG, TIFF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="208"/>
        <source>Open &amp;DICOM Folder…</source>
        <translation>打开 DICOM 文件夹(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="208"/>
        <source>Ctrl+Shift+O</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="211"/>
        <source>Open D&amp;emo</source>
        <translation>打开演示(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="213"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="217"/>
        <source>&amp;Save Labels</source>
        <translation>保存标签(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="220"/>
        <source>Save Labels &amp;As…</source>
        <translation>标签另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="223"/>
        <source>Open &amp;Labels…</source>
        <translation>打开标签(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="223"/>
        <source>Ctrl+L</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="227"/>
        <source>Load &amp;Model…</source>
        <translation>加载模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="227"/>
        <source>Ctrl+M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="231"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="236"/>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="239"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="242"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="245"/>
        <source>Ctrl+Shift+Z</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="245"/>
        <source>Ctrl+Y</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="252"/>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="260"/>
        <source>&amp;Navigate (crosshair, window/level)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="262"/>
        <source>&amp;AI Segment (click +, right click −, drag a box)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="264"/>
        <source>&amp;Brush</source>
        <translation>画笔(&amp;B)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="265"/>
        <source>&amp;Eraser</source>
        <translation>橡皮擦(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="266"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="282"/>
        <source>Accept Candidate</source>
        <translation>接受候选</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="286"/>
        <source>Discard Prompt</source>
        <translation>放弃提示</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="289"/>
        <source>Next Candidate</source>
        <translation>下一个候选</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="295"/>
        <source>Smaller Brush</source>
        <translation>缩小画笔</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="298"/>
        <source>Larger Brush</source>
        <translation>放大画笔</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="308"/>
        <source>&amp;Fill Holes (active label, this slice)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="311"/>
        <source>Remove Small &amp;Islands (this slice)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="314"/>
        <source>&amp;Clear Slice (active label)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="314"/>
        <source>Shift+Del</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="319"/>
        <source>&amp;Propagate Through Volume</source>
        <translation>在体数据中传播(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="319"/>
        <source>Ctrl+P</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="326"/>
        <source>&amp;Labels</source>
        <translation>标签(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="328"/>
        <source>&amp;New Label</source>
        <translation>新建标签(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="328"/>
        <source>Ctrl+Shift+N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="343"/>
        <source>&amp;Previous Label</source>
        <translation>上一个标签(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="346"/>
        <source>N&amp;ext Label</source>
        <translation>下一个标签(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="351"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="353"/>
        <source>&amp;Three Views</source>
        <translation>三视图(&amp;T)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="353"/>
        <source>Ctrl+1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="356"/>
        <source>&amp;Single View</source>
        <translation>单视图(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="356"/>
        <source>Ctrl+2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="359"/>
        <source>&amp;Reset Zoom</source>
        <translation>重置缩放(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="372"/>
        <source>Next Slice</source>
        <translation>下一层</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="375"/>
        <source>Previous Slice</source>
        <translation>上一层</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="378"/>
        <source>&amp;Window/Level</source>
        <translation>窗宽/窗位(&amp;W)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="386"/>
        <source>Auto (1st᎙th percentile, MR)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="391"/>
        <source>Image Default</source>
        <translation>图像默认</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="398"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="401"/>
        <source>&amp;Keyboard Shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="405"/>
        <source>&amp;About Med-SA Studio</source>
        <translation>关于 Med-SA Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="408"/>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="416"/>
        <source>AI segmentation with %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="417"/>
        <source>No model loaded: choose a checkpoint with File → Load Model… (manual tools work without one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="421"/>
        <source>AI off: no model (File → Load Model…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="422"/>
        <source>AI off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="423"/>
        <source>AI ready</source>
        <translation>AI 就绪</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="430"/>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="434"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="434"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="448"/>
        <source>AI: positive point / negative point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="448"/>
        <source>Left click / right click (or Shift+click)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="449"/>
        <source>AI: box prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="449"/>
        <source>Left drag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="450"/>
        <source>Brush size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="450"/>
        <source>[ and ], or Shift+wheel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="451"/>
        <source>Scroll slices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="451"/>
        <source>Wheel, Up/Down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="452"/>
        <source>Zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="452"/>
        <source>Ctrl+wheel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="453"/>
        <source>Pan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="453"/>
        <source>Middle drag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="454"/>
        <source>Window/level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="454"/>
        <source>Right drag (Navigate tool) or Ctrl+right drag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="455"/>
        <source>Maximise a view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="455"/>
        <source>Double-click (Navigate tool)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="485"/>
        <source>About Med-SA Studio</source>
        <translation>关于 Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="486"/>
        <source>&lt;h3&gt;Med-SA Studio %1&lt;/h3&gt;&lt;p&gt;Interactive medical image annotation with an in-process Segment Anything engine and medical adapters that learn from your work.&lt;/p&gt;&lt;p&gt;Licensed under the Apache License 2.0.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Med-SA Studio %1&lt;/h3&gt;&lt;p&gt;交互式医学图像标注：进程内 Segment Anything 引擎与可从您的标注中学习的医学适配器。&lt;/p&gt;&lt;p&gt;依据 Apache License 2.0 授权。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="496"/>
        <source>%1

File: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="503"/>
        <source>Open Image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="504"/>
        <source>Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.png *.jpg *.jpeg *.tif *.tiff *.bmp);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="511"/>
        <source>Open DICOM Folder</source>
        <translation>打开 DICOM 文件夹</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="517"/>
        <location filename="../ui/src/main_window.cpp" line="557"/>
        <source>Cannot open image</source>
        <translation>无法打开图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="521"/>
        <source>Still opening %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="530"/>
        <source>Opening %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="553"/>
        <source>Opening cancelled</source>
        <translation>已取消打开</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="578"/>
        <source>A 4D image: showing its first time point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="589"/>
        <source>%1 — Med-SA Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="589"/>
        <source>Demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="627"/>
        <source>background</source>
        <translation>背景</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="629"/>
        <source>value %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="631"/>
        <source>(%1, %2, %3)  value %4  label %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="645"/>
        <source>Save Labels</source>
        <translation>保存标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="648"/>
        <source>PNG label image (*.png);;NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="649"/>
        <source>NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd);;MetaImage (*.mha)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="665"/>
        <source>Open Labels</source>
        <translation>打开标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="666"/>
        <source>Label maps (*.nii *.nii.gz *.nrrd *.mha *.png);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="679"/>
        <source>Cannot open labels</source>
        <translation>无法打开标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="684"/>
        <source>Labels opened from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="692"/>
        <source>Load Model</source>
        <translation>加载模型</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="693"/>
        <source>SAM / Med-SA checkpoints (*.pth *.pt *.safetensors);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="701"/>
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="709"/>
        <source>Propagation needs a volume.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="713"/>
        <source>Propagation needs a model: File → Load Model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="718"/>
        <source>The active label is locked; unlock it to propagate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="736"/>
        <source>Nothing of the active label on slice %1 to propagate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="742"/>
        <source>Propagating through the volume…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="769"/>
        <source>Propagation failed</source>
        <translation>传播失败</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="771"/>
        <source>Propagation cancelled</source>
        <translation>传播已取消</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/main_window.cpp" line="787"/>
        <source>Propagate over %n slice(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/main_window.cpp" line="789"/>
        <source>Propagated over %n slice(s); stopped: %1 / %2</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="831"/>
        <location filename="../ui/src/main_window.cpp" line="863"/>
        <source>Cannot recover the autosave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="836"/>
        <source>the demo volume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="838"/>
        <source>Recover Annotations</source>
        <translation>恢复标注</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="839"/>
        <source>Med-SA Studio did not close normally. Annotations of %1 were autosaved at %2.

Recover them?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="874"/>
        <source>Recovered the annotations autosaved at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="882"/>
        <source>Unsaved Annotations</source>
        <translation>未保存的标注</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="883"/>
        <source>The labels have changed since they were last saved. Save them before closing?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>medsa::ui::SliceView</name>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="259"/>
        <source>%1  %2 / %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="260"/>
        <source>Axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="261"/>
        <source>Coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="262"/>
        <source>Sagittal</source>
        <translation>矢状位</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ToolController</name>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="20"/>
        <source>The engine could not segment: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="74"/>
        <source>The model is still loading; the prompt will not run yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="75"/>
        <source>No model loaded: choose one with File → Load Model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="116"/>
        <source>Candidate %1 of %2 (predicted IoU %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="126"/>
        <source>Choose a label first.</source>
        <translation>请先选择一个标签。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="130"/>
        <source>The active label is locked; unlock it to edit it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="148"/>
        <source>Wait for the candidate before accepting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="149"/>
        <source>Nothing to accept: click on the object first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="154"/>
        <source>AI segment → %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="207"/>
        <source>Erase stroke</source>
        <translation>橡皮擦笔画</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="207"/>
        <source>Brush stroke</source>
        <translation>画笔笔画</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="220"/>
        <source>Fill holes</source>
        <translation>填充空洞</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="221"/>
        <source>No holes to fill on this slice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="234"/>
        <source>Remove small islands</source>
        <translation>去除小岛</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="235"/>
        <source>No islands smaller than %1 pixels on this slice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="246"/>
        <source>Clear slice</source>
        <translation>清除本层</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="247"/>
        <source>The active label is not on this slice.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>medsa::ui::ViewerArea</name>
    <message>
        <location filename="../ui/src/viewer_area.cpp" line="46"/>
        <source>No image open</source>
        <translation>未打开图像</translation>
    </message>
</context>
</TS>
